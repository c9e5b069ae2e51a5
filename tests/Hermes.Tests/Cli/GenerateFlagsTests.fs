/// `hermes generate` edits (--image, --mask, --input-fidelity), -o/--output and --timeout, run as a process.
module Hermes.Tests.Cli.GenerateFlagsTests

open System
open System.IO
open System.Threading.Tasks
open Xunit
open FsCheck
open FsCheck.Xunit
open Hermes.Cli.Commands
open Hermes.Tests.Cli.HermesProcess
open Hermes.Tests.Support
open Hermes.Tests.Support.Fakes

let private posts (api: LoopbackServer) =
    api.Requests |> List.filter (fun r -> r.Method = "POST")

/// A PNG outside $HERMES_HOME (the read guard refuses sources inside it).
let private sourceIn (outside: TestHome) (name: string) =
    let path = Path.Combine(outside.Path, name)
    File.WriteAllBytes(path, png 100)
    path

[<Fact>]
let ``generate --image edits one local image with xAI: one POST to /v1/images/edits, source_count in JSON and text`` () =
    task {
        use home = new TestHome()
        use outside = new TestHome()
        use api = xaiApi 200
        let source = sourceIn outside "in.png"
        let! run = hermes home (xaiEnv api) [ "generate"; "make it blue"; "--image"; source; "--json" ]
        Assert.Equal(0, run.Code)
        let doc = oneDocument run
        Assert.Equal(1, doc.GetProperty("extras").GetProperty("source_count").GetInt32())
        let post = Assert.Single(posts api)
        Assert.Equal("/v1/images/edits", post.Path)
        Assert.Contains("data:image/png;base64,", post.Body)

        let! text = hermes home (xaiEnv api) [ "generate"; "make it blue"; "--image"; source ]
        Assert.Equal(0, text.Code)
        Assert.Contains("source_count 1", text.Err)
        Assert.True(File.Exists(text.Out.Trim()))
    }

[<Fact>]
let ``generate refuses more --image sources than the xAI model takes, and a --mask xAI cannot take: exit 2, no POST sent`` () =
    task {
        use home = new TestHome()
        use outside = new TestHome()
        use api = xaiApi 200
        let sources = [ for i in 1..4 -> sourceIn outside (sprintf "in%d.png" i) ]

        let! tooMany =
            hermes
                home
                (xaiEnv api)
                ([ "generate"; "mix these"; "--json" ]
                 @ List.collect (fun s -> [ "--image"; s ]) sources)

        Assert.Equal(2, tooMany.Code)
        let doc = expectErrorDocument "invalid_argument" tooMany
        Assert.Contains("at most 3 source images, got 4", doc.GetProperty("error").GetString())

        let! masked = hermes home (xaiEnv api) [ "generate"; "make it blue"; "--image"; sources[0]; "--mask"; sources[1] ]
        Assert.Equal(2, masked.Code)
        Assert.Contains("takes no mask", oneLineError masked)
        Assert.Empty(api.Requests)
        Assert.Empty(home.CachedFiles())
    }

[<Fact>]
let ``generate -o FILE writes exactly that file and keeps the cached copy`` () =
    task {
        use home = new TestHome()
        use outside = new TestHome()
        use api = xaiApi 200
        let target = Path.Combine(outside.Path, "sub", "fox.png")
        let! run = hermes home (xaiEnv api) [ "generate"; "a fox"; "-o"; target ]
        Assert.Equal(0, run.Code)
        Assert.Equal(target, run.Out.Trim())
        let cached = Assert.Single(home.CachedFiles())
        Assert.Equal<byte[]>(File.ReadAllBytes cached, File.ReadAllBytes target)
    }

[<Fact>]
let ``generate --output refuses an existing file without --force before any request, and replaces it with --force`` () =
    task {
        use home = new TestHome()
        use outside = new TestHome()
        use api = xaiApi 200
        let target = Path.Combine(outside.Path, "fox.png")
        File.WriteAllText(target, "keep me")
        let! refused = hermes home (xaiEnv api) [ "generate"; "a fox"; "--output"; target; "--json" ]
        Assert.Equal(2, refused.Code)
        let doc = expectErrorDocument "invalid_argument" refused
        Assert.Contains(target, doc.GetProperty("error").GetString())
        Assert.Contains("--force", doc.GetProperty("error").GetString())
        Assert.Empty(api.Requests)
        Assert.Equal("keep me", File.ReadAllText target)

        let! forced = hermes home (xaiEnv api) [ "generate"; "a fox"; "--output"; target; "--force" ]
        Assert.Equal(0, forced.Code)
        Assert.Equal<byte[]>(File.ReadAllBytes(Assert.Single(home.CachedFiles())), File.ReadAllBytes target)
    }

[<Fact>]
let ``generate --count 2 -o FILE.png writes FILE-1.png and FILE-2.png; refused when FILE-2.png exists`` () =
    task {
        use home = new TestHome()
        use outside = new TestHome()
        use api = xaiApi 200
        let target = Path.Combine(outside.Path, "fox.png")
        let! run = hermes home (xaiEnv api) [ "generate"; "a fox"; "--count"; "2"; "-o"; target ]
        Assert.Equal(0, run.Code)

        let expected =
            [ "fox-1.png"; "fox-2.png" ]
            |> List.map (fun n -> Path.Combine(outside.Path, n))

        let printed =
            run.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries) |> List.ofArray

        Assert.Equal<string list>(expected, printed)
        Assert.All(expected, fun p -> Assert.True(File.Exists p))
        Assert.Equal(2, home.CachedFiles().Length)

        File.Delete expected[0]
        let sent = api.Requests.Length
        let! refused = hermes home (xaiEnv api) [ "generate"; "a fox"; "--count"; "2"; "-o"; target ]
        Assert.Equal(2, refused.Code)
        Assert.Contains("fox-2.png", oneLineError refused)
        Assert.Equal(sent, api.Requests.Length)
    }

[<Fact>]
let ``generate -o FOLDER writes into the existing folder`` () =
    task {
        use home = new TestHome()
        use outside = new TestHome()
        use api = xaiApi 200
        let! run = hermes home (xaiEnv api) [ "generate"; "a fox"; "-o"; outside.Path ]
        Assert.Equal(0, run.Code)
        let written = run.Out.Trim()
        Assert.Equal(outside.Path, Path.GetDirectoryName written)
        Assert.Equal(Path.GetFileName(Assert.Single(home.CachedFiles())), Path.GetFileName written)
    }

/// An xAI fake that answers after three seconds.
let private slowXai () =
    new LoopbackServer(fun r c ->
        task {
            do! Task.Delay 3000
            do! Reply.json 200 (b64Response (png 10)) r c
        })

[<Fact>]
let ``generate --timeout 1 against a provider answering after 3 s exits 5 with error_type timeout`` () =
    task {
        use home = new TestHome()
        use api = slowXai ()
        let clock = Diagnostics.Stopwatch.StartNew()
        let! run = hermes home (xaiEnv api) [ "generate"; "a fox"; "--timeout"; "1"; "--json" ]
        Assert.Equal(5, run.Code)
        expectErrorDocument "timeout" run |> ignore
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds 20.0, sprintf "took %O" clock.Elapsed)
    }

[<Fact>]
let ``image_gen.timeout in config.yaml is the total deadline; --timeout overrides it`` () =
    task {
        use home = new TestHome()
        use api = slowXai ()
        home.WriteConfig "image_gen:\n  timeout: 1\n"
        let! configured = hermes home (xaiEnv api) [ "generate"; "a fox"; "--json" ]
        Assert.Equal(5, configured.Code)
        expectErrorDocument "timeout" configured |> ignore

        let! overridden = hermes home (xaiEnv api) [ "generate"; "a fox"; "--timeout"; "30"; "--json" ]
        Assert.Equal(0, overridden.Code)
    }

[<Fact>]
let ``generate --timeout 0 is a usage error naming the value, before any request`` () =
    task {
        use home = new TestHome()
        use api = xaiApi 200
        let! run = hermes home (xaiEnv api) [ "generate"; "a fox"; "--timeout"; "0"; "--json" ]
        Assert.Equal(2, run.Code)
        let doc = expectErrorDocument "usage" run
        Assert.Contains("invalid --timeout '0'", doc.GetProperty("error").GetString())
        Assert.Empty(api.Requests)
    }

[<Property>]
let ``--output names one file per image, all distinct, beside PATH, keeping its extension`` (count: PositiveInt) (ext: bool) =
    let n = min count.Get 16
    let path = Path.Combine("out", if ext then "fox.png" else "fox")
    let names = OutputPath.files path n

    names.Length = n
    && (List.distinct names).Length = n
    && names
       |> List.forall (fun f -> Path.GetDirectoryName f = "out" && Path.GetExtension f = Path.GetExtension path)
    && (n > 1 || names = [ path ])

[<Property>]
let ``a timeout is accepted exactly when it is above 0 and at most a day`` (seconds: NormalFloat) =
    let s = seconds.Get
    let text = s.ToString("R", Globalization.CultureInfo.InvariantCulture)
    Result.isOk (Client.timeoutSeconds "--timeout" text) = (s > 0.0 && s <= Client.maxTimeoutSeconds)

[<Fact>]
let ``models --json shows each model's max_source_images, mask and whether it is curated`` () =
    task {
        use home = new TestHome()
        let! run = hermes home [] [ "models"; "--json" ]
        Assert.Equal(0, run.Code)

        let rows =
            [
                for m in (oneDocument run).EnumerateArray() ->
                    (m.GetProperty("provider").GetString(), m.GetProperty("id").GetString()),
                    (m.GetProperty("max_source_images").GetInt32(),
                     m.GetProperty("mask").GetBoolean(),
                     m.GetProperty("curated").GetBoolean())
            ]
            |> Map.ofList

        Assert.Equal((3, false, true), rows[("xai", "grok-imagine-image")])
        Assert.Equal((16, true, true), rows[("openai", "gpt-image-2-medium")])
        Assert.Equal((16, true, true), rows[("openai-codex", "gpt-image-2-high")])

        for KeyValue((provider, id), (sources, mask, _)) in rows do
            let expected = Hermes.Domain.EditCapability.forModel provider id
            Assert.Equal((expected |> Option.map _.MaxSources |> Option.defaultValue 0), sources)
            Assert.Equal((expected |> Option.exists _.Mask), mask)
    }

[<Fact>]
let ``models --provider xai lists the live-merged list: curated models first, then the live-only ones marked not curated`` () =
    task {
        use home = new TestHome()

        use api =
            new LoopbackServer(fun r c ->
                Reply.json
                    200
                    """{"models":[{"id":"grok-imagine-image","input_modalities":["text","image"]},{"id":"grok-imagine-image-3","input_modalities":["text"]}]}"""
                    r
                    c)

        let! run = hermes home (xaiEnv api) [ "models"; "--provider"; "xai"; "--json" ]
        Assert.Equal(0, run.Code)

        let rows =
            [
                for m in (oneDocument run).EnumerateArray() -> m.GetProperty("id").GetString(), m.GetProperty("curated").GetBoolean()
            ]

        Assert.Equal<(string * bool) list>(
            [
                "grok-imagine-image", true
                "grok-imagine-image-quality", true
                "grok-imagine-image-2.0", true
                "grok-imagine-image-3", false
            ],
            rows
        )

        Assert.Equal<string list>([ "GET /v1/image-generation-models" ], api.Requests |> List.map (fun r -> r.Method + " " + r.Path))

        let! all = hermes home (xaiEnv api) [ "models" ]
        Assert.Equal(0, all.Code)
        Assert.Equal(1, api.Requests.Length)
    }
