/// `hermes generate` --dry-run, --max-cost, progress, --preview and --open, run as a process against loopback fakes;
/// the estimated cost in the provenance sidecar through the FAL provider.
module Hermes.Tests.Cli.PlanTests

open System
open System.IO
open System.Threading
open Xunit
open Hermes.Domain
open Hermes
open Hermes.Providers.Cache
open Hermes.Providers.Core
open Hermes.Tests.Cli.HermesProcess
open Hermes.Tests.Support
open Hermes.Tests.Support.Fakes

let private falSecret = "fal-secret-key-0123456789"

let private falEnv (fake: FakeFal) =
    [ "FAL_KEY", falSecret; "FAL_QUEUE_BASE_URL", fake.BaseUrl ]

[<Fact>]
let ``generate --dry-run prints the plan with the body and cost, sends nothing and prints no secret`` () =
    task {
        use home = new TestHome()
        use fake = new FakeFal()

        let! json =
            hermes
                home
                (falEnv fake)
                [
                    "generate"
                    "a fox"
                    "--provider"
                    "fal"
                    "--aspect"
                    "square"
                    "--count"
                    "2"
                    "--dry-run"
                    "--json"
                ]

        Assert.Equal(0, json.Code)
        let doc = oneDocument json
        Assert.True(doc.GetProperty("dry_run").GetBoolean())
        Assert.Equal("fal-ai/flux-2/klein/9b", doc.GetProperty("model").GetString())
        let request = doc.GetProperty "request"
        Assert.Equal("fal-ai/flux-2/klein/9b", request.GetProperty("endpoint").GetString())
        Assert.Equal("square_hd", request.GetProperty("body").GetProperty("image_size").GetString())
        Assert.Equal(0.006m * 1048576m / 1000000m * 2m, doc.GetProperty("estimated_cost").GetDecimal())

        let! text = hermes home (falEnv fake) [ "generate"; "a fox"; "--provider"; "fal"; "--dry-run" ]
        Assert.Equal(0, text.Code)
        Assert.Contains("estimated cost  $0.0035", text.Out)
        Assert.Contains("\"prompt\": \"a fox\"", text.Out)
        Assert.Contains("nothing was sent", text.Err)

        for run in [ json; text ] do
            Assert.DoesNotContain(falSecret, run.Out + run.Err)
            Assert.DoesNotContain(falSecret.Substring(0, 8), run.Out + run.Err)

        Assert.Empty(fake.Requests)
        Assert.Empty(home.CachedFiles())
    }

[<Fact>]
let ``an xAI dry run has no published price and still sends nothing`` () =
    task {
        use home = new TestHome()
        use api = xaiApi 200
        let! run = hermes home (xaiEnv api) [ "generate"; "a fox"; "--dry-run"; "--json" ]
        Assert.Equal(0, run.Code)
        let doc = oneDocument run
        Assert.Equal(Text.Json.JsonValueKind.Null, doc.GetProperty("estimated_cost").ValueKind)
        Assert.Contains("no published price", doc.GetProperty("cost_note").GetString())
        Assert.Equal("/images/generations", doc.GetProperty("request").GetProperty("endpoint").GetString())
        Assert.DoesNotContain("xai-secret", run.Out + run.Err)
        Assert.Empty(api.Requests)
    }

[<Fact>]
let ``--max-cost refuses a plan above it, and an unknown price without --allow-unknown-cost: exit 2, nothing sent`` () =
    task {
        use home = new TestHome()
        use fake = new FakeFal()
        use api = xaiApi 200

        let! over =
            hermes
                home
                (falEnv fake)
                [
                    "generate"
                    "a logo"
                    "--provider"
                    "fal"
                    "--model"
                    "fal-ai/recraft/v4/pro/text-to-image"
                    "--count"
                    "2"
                    "--max-cost"
                    "0.40"
                    "--json"
                ]

        Assert.Equal(2, over.Code)
        let doc = expectErrorDocument "invalid_argument" over
        Assert.Contains("$0.5 exceeds --max-cost $0.4", doc.GetProperty("error").GetString())
        Assert.Empty(fake.Requests)

        let! unknown = hermes home (xaiEnv api) [ "generate"; "a fox"; "--max-cost"; "$1" ]
        Assert.Equal(2, unknown.Code)
        Assert.Contains("--allow-unknown-cost", oneLineError unknown)
        Assert.Empty(api.Requests)

        let! bad = hermes home (xaiEnv api) [ "generate"; "a fox"; "--max-cost"; "lots" ]
        Assert.Equal(2, bad.Code)
        Assert.Contains("invalid --max-cost 'lots'", oneLineError bad)
        Assert.Empty(api.Requests)

        let! allowed = hermes home (xaiEnv api) [ "generate"; "a fox"; "--max-cost"; "1"; "--allow-unknown-cost" ]
        Assert.Equal(0, allowed.Code)

        Assert.Single(api.Requests |> List.filter (fun r -> r.Method = "POST"))
        |> ignore
    }

[<Fact>]
let ``with stderr redirected, --count 3 writes no progress at all: stderr stays empty`` () =
    task {
        use home = new TestHome()
        use api = xaiApi 200
        let! run = hermes home (xaiEnv api) [ "generate"; "a fox"; "--count"; "3" ]
        Assert.Equal(0, run.Code)
        Assert.Equal(3, run.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length)
        Assert.Equal("", run.Err)
    }

[<Fact>]
let ``--preview draws the image on stderr only under kitty or iTerm2, never on stdout`` () =
    task {
        use home = new TestHome()
        use api = xaiApi 200

        let! kitty = hermes home (xaiEnv api @ [ "TERM", "xterm-kitty" ]) [ "generate"; "a fox"; "--preview" ]
        Assert.Equal(0, kitty.Code)
        Assert.True(kitty.Err.StartsWith("\u001b_Ga=T,f=100,", StringComparison.Ordinal))
        Assert.False(kitty.Out.Contains '\u001b')

        let! iterm = hermes home (xaiEnv api @ [ "TERM_PROGRAM", "iTerm.app" ]) [ "generate"; "a fox"; "--preview"; "--json" ]
        Assert.Equal(0, iterm.Code)
        Assert.True(iterm.Err.StartsWith("\u001b]1337;File=inline=1;", StringComparison.Ordinal))
        oneDocument iterm |> ignore

        let! plain = hermes home (xaiEnv api @ [ "TERM", "xterm-256color" ]) [ "generate"; "a fox"; "--preview" ]
        Assert.Equal(0, plain.Code)
        noAnsi plain
    }

/// An xdg-open in `tools` that appends each path it is given to opened.txt: (that file, a PATH that finds it first).
let private fakeOpener (tools: TestHome) =
    let opened = Path.Combine(tools.Path, "opened.txt")
    let opener = Path.Combine(tools.Path, "xdg-open")
    File.WriteAllText(opener, sprintf "#!/bin/sh\necho \"$1\" >> '%s'\n" opened)
    File.SetUnixFileMode(opener, UnixFileMode.UserRead ||| UnixFileMode.UserWrite ||| UnixFileMode.UserExecute)
    opened, tools.Path + ":" + Environment.GetEnvironmentVariable "PATH"

[<Fact>]
let ``--open hands each image to the system opener; a missing opener is a warning and exit 0`` () =
    task {
        use home = new TestHome()
        use tools = new TestHome()
        use api = xaiApi 200
        let opened, path = fakeOpener tools

        let! run = hermes home (xaiEnv api @ [ "PATH", path ]) [ "generate"; "a fox"; "--open" ]
        Assert.Equal(0, run.Code)

        // The opener runs on its own; give it a moment to write.
        let deadline = DateTime.UtcNow.AddSeconds 10.0

        while not (File.Exists opened) && DateTime.UtcNow < deadline do
            do! Threading.Tasks.Task.Delay 50

        Assert.Equal(run.Out.Trim(), File.ReadAllText(opened).Trim())

        let! missing = hermes home (xaiEnv api @ [ "PATH", tools.Path + "/none" ]) [ "generate"; "a fox"; "--open" ]
        Assert.Equal(0, missing.Code)
        Assert.Contains("hermes: warning: cannot open", missing.Err)
    }

[<Fact>]
let ``--open never hands the opener a provider's URL: an image whose download failed is printed, not opened`` () =
    task {
        use home = new TestHome()
        use tools = new TestHome()

        // xAI answers with a URL on its own host, and that host answers the image with 404: the bare URL is the result.
        use api =
            new LoopbackServer(fun request ctx ->
                if request.Method = "POST" then
                    let self = ctx.Request.Scheme + "://" + ctx.Request.Host.Value
                    Reply.json 200 (sprintf """{"data":[{"url":"%s/gone.png"}]}""" self) request ctx
                else
                    Reply.json 404 """{"error":"gone"}""" request ctx)

        let opened, path = fakeOpener tools

        let! run = hermes home (xaiEnv api @ [ "PATH", path ]) [ "generate"; "a fox"; "--open" ]
        Assert.Equal(0, run.Code)
        Assert.EndsWith("/gone.png", run.Out.Trim())
        Assert.Contains("hermes: warning: not opening an image that is not a saved local file", run.Err)
        // A wrong opener call would have written by now: the right one above writes within milliseconds.
        do! Threading.Tasks.Task.Delay 1000
        Assert.False(File.Exists opened)
    }

[<Fact>]
let ``a FAL image's sidecar carries its estimated_cost; an unpriced one carries null`` () =
    task {
        use home = new TestHome()
        use fake = new FakeFal()

        let! result =
            (Hermes.Tests.Providers.FalProviderTests.direct home fake (CapturedLogs()))
                .GenerateAsync("a lighthouse", AspectRatio.Square, GenerateOptions(), CancellationToken.None)

        let image = (success result).Image

        match Provenance.ofJson (File.ReadAllText(CacheFolder.SidecarOf image)) with
        | Ok p -> Assert.Equal(Some(0.006m * 1048576m / 1000000m), p.EstimatedCost)
        | Error e -> failwith e

        use other = new TestHome()
        use api = xaiApi 200
        let! run = hermes other (xaiEnv api) [ "generate"; "a fox" ]

        let sidecar =
            Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(CacheFolder.SidecarOf(run.Out.Trim())))

        Assert.True(sidecar.AsObject().ContainsKey "estimated_cost")
        Assert.Null(sidecar["estimated_cost"])
    }

/// Every report, with the image it is about.
type private NumberedRecorder() =
    let reports = Collections.Concurrent.ConcurrentQueue<int * string>()
    member _.Reports = reports |> List.ofSeq

    interface IProgress<GenerationProgress> with
        member _.Report p = reports.Enqueue((p.Image, p.Stage))

[<Fact>]
let ``each image of --count 3 reports the provider's own stages under its own number, for one line each`` () =
    task {
        use home = new TestHome()
        use fake = new FakeFal(pollsBeforeDone = 2)
        let recorder = NumberedRecorder()

        let client = HermesClient(home.Context(falEnv fake))

        let! result =
            client.GenerateAsync(
                "a lighthouse",
                HermesGenerateOptions(Provider = "fal", Count = 3, Progress = recorder),
                CancellationToken.None
            )

        Assert.Equal(3, result.Images.Count)
        let reports = recorder.Reports
        Assert.Equal<int list>([ 1; 2; 3 ], reports |> List.map fst |> List.distinct |> List.sort)

        for image in 1..3 do
            let stages = reports |> List.filter (fst >> (=) image) |> List.map snd
            Assert.Contains("queued", stages)
            Assert.Contains("downloading", stages)
    }
