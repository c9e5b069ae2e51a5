module Hermes.Tests.Cli.CliTests

open System
open System.IO
open System.Text.Json.Nodes
open Xunit
open Hermes.Tests.Cli.HermesProcess
open Hermes.Tests.Support
open Hermes.Tests.Support.Fakes

[<Fact>]
let ``the Argu command structure is valid (hermes skips this check at start-up)`` () =
    Argu.ArgumentParser<Hermes.Cli.Args.HermesArgs>.CheckStructure()

[<Fact>]
let ``--version prints the version`` () =
    task {
        use home = new TestHome()
        let! run = hermes home [] [ "--version" ]
        Assert.Equal(0, run.Code)
        Assert.Equal("hermes 0.1.0", run.Out.Trim())
    }

[<Fact>]
let ``generate --json with only XAI_API_KEY prints one success document with a local file`` () =
    task {
        use home = new TestHome()
        use api = xaiApi 200
        let! run = hermes home (xaiEnv api) [ "generate"; "a red fox in snow"; "--json" ]
        Assert.Equal(0, run.Code)
        noAnsi run
        let doc = JsonNode.Parse run.Out
        Assert.True(doc.["success"].GetValue<bool>())
        let image = textAt doc [ "image" ]
        Assert.True(File.Exists image)
        Assert.StartsWith(home.CacheDir, image)
        Assert.Equal(image, doc.["images"].[0].GetValue<string>())

        Assert.Equal(
            ("xai", "grok-imagine-image", "a red fox in snow", "landscape"),
            (textAt doc [ "provider" ], textAt doc [ "model" ], textAt doc [ "prompt" ], textAt doc [ "aspect_ratio" ])
        )

        Assert.Equal("1k", textAt doc [ "extras"; "resolution" ])
        Assert.DoesNotContain("xai-secret-key-0123456789", run.Out + run.Err)
    }

[<Fact>]
let ``generate prints plain paths when redirected, N of them with --count, copied with --out`` () =
    task {
        use home = new TestHome()
        use api = xaiApi 200
        let out = Path.Combine(home.Path, "exports")

        let! run =
            hermes
                home
                (xaiEnv api)
                [
                    "generate"
                    "a fox"
                    "--count"
                    "3"
                    "--out"
                    out
                    "--aspect"
                    "portrait"
                    "--resolution"
                    "2k"
                    "--provider"
                    "xai"
                ]

        Assert.Equal(0, run.Code)
        noAnsi run
        let paths = run.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries)
        Assert.Equal(3, paths.Length)

        Assert.All(
            paths,
            fun p ->
                Assert.True(File.Exists p)
                Assert.StartsWith(out, p)
        )

        Assert.All(
            api.Requests,
            fun r ->
                Assert.Equal("2k", jsonField r.Body "resolution")
                Assert.Equal("9:16", jsonField r.Body "aspect_ratio")
        )
    }

[<Theory>]
[<InlineData("--aspect|wide", "invalid aspect ratio 'wide': allowed values are landscape, square, portrait, auto, or a ratio W:H such as 4:3")>]
[<InlineData("--provider|grok", "image_gen.provider 'grok' is not a registered image provider; registered: fal, xai, openai, openai-codex, gemini")>]
[<InlineData("--count|99", "invalid count '99': allowed values are 1 to 16")>]
[<InlineData("--model|dall-e-3",
             "invalid model 'dall-e-3': allowed values are grok-imagine-image, grok-imagine-image-quality, grok-imagine-image-2.0 (provider xai)")>]
[<InlineData("--resolution|1024", "invalid resolution '1024': allowed values are 1k, 2k")>]
let ``bad input exits 2 with one line naming the value and the allowed ones`` (flag: string, message: string) =
    task {
        use home = new TestHome()
        use api = xaiApi 200
        let! run = hermes home (xaiEnv api) ([ "generate"; "a fox" ] @ List.ofArray (flag.Split '|'))
        Assert.Equal(2, run.Code)
        Assert.Equal("hermes: " + message, oneLineError run)
        // an unknown --model may look at xAI's live model list once; nothing is generated
        Assert.Empty(api.Requests |> List.filter (fun r -> r.Path <> "/v1/image-generation-models"))
    }

[<Fact>]
let ``usage errors exit 2 in one line`` () =
    task {
        use home = new TestHome()
        let! missing = hermes home [] [ "generate" ]
        let! unknown = hermes home [] [ "paint"; "x" ]
        Assert.Equal((2, 2), (missing.Code, unknown.Code))
        Assert.Contains("prompt", oneLineError missing)
        Assert.Contains("paint", oneLineError unknown)
    }

[<Fact>]
let ``no provider at all exits 3 and says what fixes it, also as JSON`` () =
    task {
        use home = new TestHome()
        let! run = hermes home [] [ "generate"; "a fox" ]
        Assert.Equal(3, run.Code)
        Assert.Contains("FAL_KEY", oneLineError run)
        let! json = hermes home [] [ "generate"; "a fox"; "--json" ]
        Assert.Equal(3, json.Code)
        let doc = JsonNode.Parse json.Out
        Assert.False(doc.["success"].GetValue<bool>())
        Assert.Equal("not_available", textAt doc [ "error_type" ])
    }

[<Fact>]
let ``a provider error exits 4 with the status and the provider's message`` () =
    task {
        use home = new TestHome()
        use api = xaiApi 429
        let! run = hermes home (xaiEnv api) [ "generate"; "a fox" ]
        Assert.Equal(4, run.Code)
        Assert.Equal("hermes: xAI returned HTTP 429: Too many requests, slow down", oneLineError run)
    }

[<Fact>]
let ``an unreachable provider exits 5`` () =
    task {
        use home = new TestHome()
        let port = closedPort ()
        let! run = hermes home [ "XAI_API_KEY", "k"; "XAI_BASE_URL", sprintf "http://127.0.0.1:%d/v1" port ] [ "generate"; "a fox" ]
        Assert.Equal(5, run.Code)
        Assert.Contains("could not be reached", oneLineError run)
    }

[<Fact>]
let ``generate --provider openai works against the fake`` () =
    task {
        use home = new TestHome()
        use api = new LoopbackServer(Reply.json 200 (b64Response (png 64)))

        let! run =
            hermes
                home
                [ "OPENAI_API_KEY", "sk-x"; "OPENAI_BASE_URL", api.Url "/v1" ]
                [
                    "generate"
                    "a synth"
                    "--provider"
                    "openai"
                    "--model"
                    "gpt-image-2-low"
                    "--json"
                ]

        Assert.Equal(0, run.Code)
        Assert.Equal("gpt-image-2-low", textAt (JsonNode.Parse run.Out) [ "model" ])
        Assert.Equal("low", jsonField api.Requests.Head.Body "quality")
    }

[<Fact>]
let ``providers --json reports each parity scenario's dispatch, and generate agrees with it`` () =
    task {
        for scenario in ParityScenarios.scenarios do
            use home = new TestHome()

            if scenario.Config <> Hermes.Domain.Dispatch.emptySettings then
                home.WriteConfig(ParityScenarios.yaml scenario)

            let! run = hermes home scenario.Env [ "providers"; "--json" ]
            Assert.Equal(0, run.Code)
            let dispatch = (JsonNode.Parse run.Out).["dispatch"]

            let text key =
                dispatch.[key: string]
                |> Option.ofObj
                |> Option.map (fun n -> n.GetValue<string>())

            let kind = textAt dispatch [ "dispatch_kind" ]

            let reported: Hermes.Domain.ReducedDecision =
                {
                    DispatchKind = kind
                    ProviderName = text "provider_name"
                    Model = text "model"
                    ErrorPresent = (kind = "error")
                }

            Assert.True((scenario.Expected = reported), sprintf "%s: %A" scenario.Name reported)

        use home = new TestHome()
        use api = xaiApi 200
        let! providers = hermes home (xaiEnv api) [ "providers"; "--json" ]
        let! generated = hermes home (xaiEnv api) [ "generate"; "a fox"; "--json" ]
        Assert.Equal((0, 0), (providers.Code, generated.Code))
        let doc = JsonNode.Parse providers.Out

        let byName =
            doc.["providers"].AsArray()
            |> Seq.map (fun p -> textAt p [ "name" ], p)
            |> Map.ofSeq

        Assert.Equal<string list>([ "fal"; "gemini"; "openai"; "openai-codex"; "xai" ], byName |> Map.keys |> List.ofSeq)
        Assert.True(byName["xai"].["available"].GetValue<bool>())
        Assert.Equal("image_gen/xai", textAt byName["xai"] [ "key" ])
        Assert.Contains("OPENAI_API_KEY", textAt byName["openai"] [ "reason" ])
        Assert.Equal("plugin", textAt doc [ "dispatch"; "dispatch_kind" ])
        let result = JsonNode.Parse generated.Out
        Assert.Equal(textAt doc [ "dispatch"; "provider_name" ], textAt result [ "provider" ])
        Assert.Equal(textAt doc [ "dispatch"; "model" ], textAt result [ "model" ])
    }

[<Fact>]
let ``providers prints a plain table with the reason when unavailable`` () =
    task {
        use home = new TestHome()
        let! run = hermes home [] [ "providers" ]
        Assert.Equal(0, run.Code)
        noAnsi run
        Assert.Contains("openai-codex", run.Out)
        Assert.Contains("sign in with Codex", run.Out)
        Assert.Contains("generate cannot run", run.Out)
    }

[<Fact>]
let ``models lists a provider's catalog and refuses an unknown provider`` () =
    task {
        use home = new TestHome()
        let! run = hermes home [] [ "models"; "--provider"; "openai"; "--json" ]
        Assert.Equal(0, run.Code)

        let ids =
            JsonNode.Parse(run.Out).AsArray()
            |> Seq.map (fun m -> textAt m [ "id" ])
            |> List.ofSeq

        Assert.Equal<string list>([ "gpt-image-2-low"; "gpt-image-2-medium"; "gpt-image-2-high" ], ids)
        let! all = hermes home [] [ "models" ]
        Assert.Contains("fal-ai/flux-2/klein/9b", all.Out)
        let! bad = hermes home [] [ "models"; "--provider"; "dalle" ]
        Assert.Equal(2, bad.Code)
        Assert.Equal("hermes: invalid provider 'dalle': allowed values are fal, xai, openai, openai-codex, gemini", oneLineError bad)
    }

[<Fact>]
let ``config set keeps unknown keys, config get reads them back, bad values exit 2`` () =
    task {
        use home = new TestHome()
        home.WriteConfig "agent:\n  name: helper\n  tools: [a, b]\nimage_gen:\n  model: fal-ai/flux-2-pro\n"
        let! set = hermes home [] [ "config"; "set"; "image_gen.provider"; "xai" ]
        let! res = hermes home [] [ "config"; "set"; "image_gen.xai.resolution"; "2k" ]
        Assert.Equal((0, 0), (set.Code, res.Code))
        let! get = hermes home [] [ "config"; "get"; "image_gen.provider" ]
        Assert.Equal("xai", get.Out.Trim())
        let! other = hermes home [] [ "config"; "get"; "agent.name" ]
        Assert.Equal("helper", other.Out.Trim())
        let yaml = File.ReadAllText(Path.Combine(home.Path, "config.yaml"))
        Assert.Contains("tools:", yaml)
        Assert.Contains("model: fal-ai/flux-2-pro", yaml)
        let! bad = hermes home [] [ "config"; "set"; "image_gen.xai.resolution"; "1024" ]
        Assert.Equal(2, bad.Code)
        Assert.Equal("hermes: invalid image_gen.xai.resolution '1024': allowed values are 1k, 2k", oneLineError bad)
        let! missing = hermes home [] [ "config"; "get"; "image_gen.nothing" ]
        Assert.Equal(1, missing.Code)
        let! badKey = hermes home [] [ "config"; "set"; "image gen"; "x" ]
        Assert.Equal(2, badKey.Code)
    }

[<Fact>]
let ``a broken config.yaml stops generate with exit 5 naming the file; providers still lists with a warning`` () =
    task {
        use home = new TestHome()
        home.WriteConfig "image_gen: [unclosed"
        use api = xaiApi 200
        let! generated = hermes home (xaiEnv api) [ "generate"; "a fox" ]
        Assert.Equal(5, generated.Code)
        Assert.Contains(Path.Combine(home.Path, "config.yaml") + ": invalid YAML", oneLineError generated)
        Assert.Empty(api.Requests)
        let! providers = hermes home (xaiEnv api) [ "providers" ]
        Assert.Equal(0, providers.Code)
        Assert.Contains("xai", providers.Out)
        Assert.Contains("hermes: warning: ", providers.Err)
        Assert.Contains("invalid YAML", providers.Err)
    }

/// Reads stdout until the sign-in URL appears.
let signInUrl (running: RunningHermes) =
    let p = running.Process

    task {
        let mutable url = null

        while isNull url do
            let! line = p.StandardOutput.ReadLineAsync()

            if isNull line then
                failwith "hermes ended before printing the URL"

            if line.StartsWith "http" then
                url <- line

        return url
    }

[<Fact>]
let ``auth add, list and remove xai-oauth end to end against a local accounts server`` () =
    task {
        use fake = new FakeXaiAccounts()
        use home = new TestHome()
        let env = [ "HERMES_XAI_OAUTH_ISSUER", fake.Issuer ]

        use adding =
            start home env [ "auth"; "add"; "xai-oauth"; "--no-browser"; "--timeout"; "30" ]

        let! url = signInUrl adding
        Assert.Contains("plan=generic", url)
        let! status, _ = Hermes.Tests.Auth.SignInTests.follow None url
        Assert.Equal(Net.HttpStatusCode.OK, status)
        let! added = finish adding
        Assert.True((added.Code = 0), added.Err)
        Assert.Contains("signed in to xAI as entry 1", added.Out)
        let auth = JsonNode.Parse(File.ReadAllText home.AuthPath)
        let access = textAt auth [ "providers"; "xai-oauth"; "tokens"; "access_token" ]
        let refresh = textAt auth [ "providers"; "xai-oauth"; "tokens"; "refresh_token" ]
        let! listed = hermes home env [ "auth"; "list"; "--json" ]
        Assert.Equal(0, listed.Code)
        let entry = JsonNode.Parse(listed.Out).AsArray() |> Seq.exactlyOne
        Assert.Equal(1, entry.["number"].GetValue<int>())
        Assert.Equal("loopback_pkce", textAt entry [ "source" ])
        Assert.True((textAt entry [ "token" ]).Length <= 7)
        Assert.False(entry.["expired"].GetValue<bool>())

        for output in [ added.Out + added.Err; listed.Out + listed.Err ] do
            Assert.DoesNotContain(access, output)
            Assert.DoesNotContain(refresh, output)

        let! table = hermes home env [ "auth"; "list" ]
        Assert.Contains("loopback_pkce", table.Out)
        Assert.Contains("xAI Grok OAuth (SuperGrok Subscription)", table.Out)
        let! removed = hermes home env [ "auth"; "remove"; "xai-oauth"; "1" ]
        Assert.Equal(0, removed.Code)
        let after = JsonNode.Parse(File.ReadAllText home.AuthPath)
        Assert.Null(after.["providers"].["xai-oauth"])
        let! empty = hermes home env [ "auth"; "list"; "--json" ]
        Assert.Equal(0, JsonNode.Parse(empty.Out).AsArray().Count)
    }

[<Fact>]
let ``auth add accepts the grok-oauth alias and a redirect URL pasted on stdin (headless sign-in)`` () =
    task {
        use fake = new FakeXaiAccounts()
        use home = new TestHome()
        let env = [ "HERMES_XAI_OAUTH_ISSUER", fake.Issuer ]

        use adding =
            start home env [ "auth"; "add"; "grok-oauth"; "--no-browser"; "--timeout"; "30" ]

        let! url = signInUrl adding
        // The browser ran on another machine: its redirect never reaches this loopback, the user pastes it instead.
        use client = Hermes.Tests.Auth.SignInTests.browser ()
        let! authorize = client.GetAsync url
        Assert.Equal(Net.HttpStatusCode.Found, authorize.StatusCode)
        let redirect = authorize.Headers.Location.ToString()
        adding.Process.StandardInput.WriteLine "not a redirect URL"
        adding.Process.StandardInput.WriteLine redirect
        adding.Process.StandardInput.Close()
        let! added = finish adding
        Assert.True((added.Code = 0), added.Err)
        Assert.Contains("signed in to xAI as entry 1", added.Out)
        Assert.True(File.Exists home.AuthPath)
    }

[<Fact>]
let ``auth errors: unknown provider, bad entry numbers, a hostile issuer`` () =
    task {
        use home = new TestHome()
        let! provider = hermes home [] [ "auth"; "add"; "github" ]
        Assert.Equal(2, provider.Code)
        Assert.Equal("hermes: invalid provider 'github': allowed values are xai-oauth, grok-oauth, x-ai-oauth, xai-grok-oauth", oneLineError provider)
        let! notNumber = hermes home [] [ "auth"; "remove"; "xai-oauth"; "first" ]
        Assert.Equal(2, notNumber.Code)
        let! none = hermes home [] [ "auth"; "remove"; "xai-oauth"; "3" ]
        Assert.Equal(2, none.Code)
        Assert.Equal("hermes: invalid entry '3': there are no xai-oauth entries", oneLineError none)
        let! hostile = hermes home [ "HERMES_XAI_OAUTH_ISSUER", "https://x.ai.evil.com" ] [ "auth"; "add"; "xai-oauth"; "--no-browser" ]
        Assert.Equal(2, hostile.Code)
        Assert.Contains("HERMES_XAI_OAUTH_ISSUER", oneLineError hostile)
    }

[<Fact>]
let ``a denied sign-in exits 4 with one line`` () =
    task {
        use fake = new FakeXaiAccounts(AccountsMode.Deny)
        use home = new TestHome()

        use adding =
            start home [ "HERMES_XAI_OAUTH_ISSUER", fake.Issuer ] [ "auth"; "add"; "xai-oauth"; "--no-browser"; "--timeout"; "30" ]

        let! url = signInUrl adding
        let! _ = Hermes.Tests.Auth.SignInTests.follow None url
        let! run = finish adding
        Assert.Equal(4, run.Code)
        Assert.Contains("refused (access_denied)", run.Err)
        Assert.False(File.Exists home.AuthPath)
    }
