module Hermes.Tests.Providers.XaiProviderTests

open System
open System.Threading
open System.Threading.Tasks
open Xunit
open Hermes.Domain
open Hermes.Providers.Core
open Hermes.Providers.Http
open Hermes.Providers.Xai
open Hermes.Tests.Support
open Hermes.Tests.Support.Fakes

let generations = "POST", "/v1/images/generations"

let provider (home: TestHome) (server: LoopbackServer) (logs: CapturedLogs) =
    XaiImageProvider(home.Context([ "XAI_API_KEY", "xai-test-key-123456"; "XAI_BASE_URL", server.Url("/v1") ], logs))

let generate (p: XaiImageProvider) aspect =
    p.GenerateAsync("a red fox in snow", aspect, GenerateOptions.Default, CancellationToken.None)

[<Fact>]
let ``a URL result is downloaded into the cache at once, not passed through`` () =
    task {
        use home = new TestHome()
        let image = jpeg 5000
        let mutable server: LoopbackServer option = None

        let reply =
            Reply.routes
                [
                    generations, (fun r c -> Reply.json 200 (urlResponse (server.Value.Url "/imgen/xai-tmp-123.jpeg")) r c)
                    ("GET", "/imgen/xai-tmp-123.jpeg"), Reply.bytes 200 "image/jpeg" image
                ]

        use s = new LoopbackServer(reply)
        server <- Some s
        let! result = generate (provider home s (CapturedLogs())) AspectRatio.Landscape
        let ok = success result
        assertLocalFile home ok.Image image
        Assert.EndsWith(".jpg", ok.Image)
        Assert.Equal("xai", ok.Provider)
        Assert.Equal("grok-imagine-image", ok.Model)
        Assert.Equal("landscape", ok.AspectRatio)
        Assert.Equal("a red fox in snow", ok.Prompt)
        Assert.Equal<obj>("1k", ok.Extras["resolution"])
        let request = s.Requests |> List.find (fun r -> r.Method = "POST")
        let sent = json request.Body
        sent.AsObject().Remove "storage_options" |> ignore

        assertJson
            """{"model":"grok-imagine-image","prompt":"a red fox in snow","aspect_ratio":"16:9","resolution":"1k"}"""
            (sent.ToJsonString())

        Assert.Equal(Some "Bearer xai-test-key-123456", request.Header "Authorization")
        Assert.StartsWith("application/json", (request.Header "Content-Type").Value)
    }

[<Fact>]
let ``a URL that 404s in flight falls back to the bare URL with success and one warning`` () =
    task {
        use home = new TestHome()
        let logs = CapturedLogs()
        let mutable server: LoopbackServer option = None

        let reply =
            Reply.routes
                [
                    generations, (fun r c -> Reply.json 200 (urlResponse (server.Value.Url "/imgen/xai-tmp-gone.png")) r c)
                ]

        use s = new LoopbackServer(reply)
        server <- Some s
        let! result = generate (provider home s logs) AspectRatio.Square
        let ok = success result
        Assert.Equal(s.Url "/imgen/xai-tmp-gone.png", ok.Image)
        Assert.Contains("HTTP 404", Assert.Single(logs.Warnings))
        Assert.Empty(home.CachedFiles())
    }

[<Fact>]
let ``a b64 result is saved to the cache`` () =
    task {
        use home = new TestHome()
        let image = png 1234

        use s =
            new LoopbackServer(Reply.routes [ generations, Reply.json 200 (b64Response image) ])

        let! result = generate (provider home s (CapturedLogs())) AspectRatio.Portrait
        let ok = success result
        assertLocalFile home ok.Image image
        Assert.StartsWith("xai_grok-imagine-image_", IO.Path.GetFileName ok.Image)
    }

[<Theory>]
[<InlineData("2k", "2k", false)>]
[<InlineData("1k", "1k", false)>]
[<InlineData("1024", "1k", true)>]
[<InlineData("4k", "1k", true)>]
let ``resolution is sent as the configured literal; an invalid one falls back to 1k with a warning``
    (configured: string, sent: string, warned: bool)
    =
    task {
        use home = new TestHome()
        home.WriteConfig(sprintf "image_gen:\n  provider: xai\n  xai:\n    resolution: \"%s\"\n" configured)
        let logs = CapturedLogs()

        use s =
            new LoopbackServer(Reply.routes [ generations, Reply.json 200 (b64Response (png 10)) ])

        let! result = generate (provider home s logs) AspectRatio.Square
        Assert.Equal<obj>(sent, (success result).Extras["resolution"])
        Assert.Equal(sent, jsonField s.Requests.Head.Body "resolution")
        Assert.Equal(warned, logs.Warnings |> List.exists (fun w -> w.Contains configured && w.Contains "1k"))
    }

[<Fact>]
let ``the caller's resolution overrides config`` () =
    task {
        use home = new TestHome()

        use s =
            new LoopbackServer(Reply.routes [ generations, Reply.json 200 (b64Response (png 10)) ])

        let! result =
            (provider home s (CapturedLogs()))
                .GenerateAsync("x", AspectRatio.Square, GenerateOptions(Resolution = Resolution.TwoK), CancellationToken.None)

        Assert.Equal<obj>("2k", (success result).Extras["resolution"])
    }

[<Theory>]
[<InlineData(400, "invalid_request")>]
[<InlineData(401, "auth")>]
[<InlineData(403, "auth")>]
[<InlineData(404, "invalid_request")>]
[<InlineData(422, "invalid_request")>]
[<InlineData(429, "rate_limited")>]
[<InlineData(500, "provider_error")>]
[<InlineData(503, "provider_error")>]
let ``HTTP errors carry the status and xAI's own message`` (status: int, errorType: string) =
    task {
        use home = new TestHome()

        use s =
            new LoopbackServer(
                Reply.routes
                    [
                        generations, Reply.json status """{"code":"x","error":"Resolution must be 1k or 2k"}"""
                    ]
            )

        let! result = generate (provider home s (CapturedLogs())) AspectRatio.Square
        let failed = failure result
        Assert.Equal(errorType, failed.ErrorType)
        Assert.Equal(Nullable status, failed.Error.HttpStatus)
        Assert.Equal(sprintf "xAI returned HTTP %d: Resolution must be 1k or 2k" status, failed.Error.Message)
        Assert.Equal("xai", failed.Provider)
    }

[<Fact>]
let ``a slow API is a timeout error, not an exception`` () =
    task {
        use home = new TestHome()

        use s =
            new LoopbackServer(Reply.delayed (TimeSpan.FromSeconds 20.0) (Reply.json 200 "{}"))

        let p =
            XaiImageProvider(
                home.Context(
                    [ "XAI_API_KEY", "k"; "XAI_BASE_URL", s.Url("/v1") ],
                    timeouts = TransportTimeouts(TimeSpan.FromMilliseconds 300.0, TimeSpan.FromMilliseconds 300.0)
                )
            )

        let! result = generate p AspectRatio.Square
        Assert.Equal("timeout", (failure result).ErrorType)
    }

[<Fact>]
let ``an answer that goes silent mid-body is a timeout after the idle gap, not after the total deadline`` () =
    task {
        use home = new TestHome()

        use s =
            new LoopbackServer(Reply.stallAfter "application/json" (Text.Encoding.UTF8.GetBytes """{"data":["""))

        let p =
            XaiImageProvider(
                home.Context(
                    [ "XAI_API_KEY", "k"; "XAI_BASE_URL", s.Url("/v1") ],
                    timeouts = TransportTimeouts(TimeSpan.FromSeconds 120.0, TimeSpan.FromMilliseconds 300.0)
                )
            )

        let! result = generate p AspectRatio.Square
        let failed = failure result
        Assert.Equal("timeout", failed.ErrorType)
        Assert.Equal("xAI sent nothing for 0.3 s in the middle of its answer", failed.Error.Message)
    }

[<Fact>]
let ``cancellation is honoured`` () =
    task {
        use home = new TestHome()

        use s =
            new LoopbackServer(Reply.delayed (TimeSpan.FromSeconds 20.0) (Reply.json 200 "{}"))

        use cts = new CancellationTokenSource(TimeSpan.FromMilliseconds 200.0)
        let p = provider home s (CapturedLogs())

        let! _ =
            Assert.ThrowsAnyAsync<OperationCanceledException>(fun () ->
                p.GenerateAsync("x", AspectRatio.Square, GenerateOptions.Default, cts.Token) :> Task)

        ()
    }

[<Fact>]
let ``no data, no image and a non-JSON body are typed errors`` () =
    task {
        use home = new TestHome()

        use s =
            new LoopbackServer(
                Reply.sequence
                    [
                        Reply.json 200 """{"data":[]}"""
                        Reply.json 200 """{"data":[{"revised_prompt":"x"}]}"""
                        Reply.text 200 "text/html" "<html>proxy</html>"
                    ]
            )

        let p = provider home s (CapturedLogs())
        let! first = generate p AspectRatio.Square
        let! second = generate p AspectRatio.Square
        let! third = generate p AspectRatio.Square
        Assert.Equal("no_image", (failure first).ErrorType)
        Assert.Equal("no_image", (failure second).ErrorType)
        Assert.Equal("invalid_response", (failure third).ErrorType)
    }

[<Fact>]
let ``without credentials the provider is unavailable and says what fixes it`` () =
    task {
        use home = new TestHome()
        let p = XaiImageProvider(home.Context([]))
        Assert.False(p.IsAvailable().IsReady)
        Assert.Contains("XAI_API_KEY", expectMissing (p.IsAvailable()))
        Assert.Contains("hermes auth add xai-oauth", expectMissing (p.IsAvailable()))
        let! result = generate p AspectRatio.Square
        Assert.Equal("not_available", (failure result).ErrorType)
    }

[<Fact>]
let ``an empty prompt is refused before any request`` () =
    task {
        use home = new TestHome()
        use s = new LoopbackServer(Reply.json 200 "{}")

        let! result =
            (provider home s (CapturedLogs())).GenerateAsync("   ", AspectRatio.Square, GenerateOptions.Default, CancellationToken.None)

        Assert.Equal("invalid_argument", (failure result).ErrorType)
        Assert.Empty(s.Requests)
    }

[<Fact>]
let ``the request has no edit fields for any aspect`` () =
    task {
        use home = new TestHome()

        use s =
            new LoopbackServer(Reply.routes [ generations, Reply.json 200 (b64Response (png 10)) ])

        let p = provider home s (CapturedLogs())

        for aspect in AspectRatio.all do
            let! _ = generate p aspect
            ()

        let sent = s.Requests |> List.map (fun r -> jsonField r.Body "aspect_ratio")
        Assert.Equal<string list>([ "16:9"; "1:1"; "9:16" ], sent)

        for r in s.Requests do
            Assert.Equal<string list>([ "model"; "prompt"; "aspect_ratio"; "resolution"; "storage_options" ], jsonKeys r.Body)
    }

// reference-2026.md, xAI rows: the live catalog, storage_options, the durable public URL and the answer's provenance.

let modelsPath = "GET", "/v1/image-generation-models"

let liveModels =
    """{"models":[{"id":"grok-imagine-image","input_modalities":["text","image"]},{"id":"grok-imagine-image-3","input_modalities":["text"]}]}"""

let ids (models: Collections.Generic.IReadOnlyList<ModelInfo>) = models |> Seq.map _.Id |> List.ofSeq

let modelRequests (server: LoopbackServer) =
    server.Requests |> List.filter (fun r -> r.Path = snd modelsPath)

/// A clock the test moves by hand.
type ManualClock(start: DateTimeOffset) =
    inherit TimeProvider()
    member val Now = start with get, set
    override this.GetUtcNow() = this.Now

let xaiEnv (server: LoopbackServer) =
    [ "XAI_API_KEY", "xai-test-key-123456"; "XAI_BASE_URL", server.Url("/v1") ]

[<Fact>]
let ``test_static_catalog_includes_image_2_0: three curated models, grok-imagine-image the default, no request`` () =
    task {
        use home = new TestHome()
        let p = XaiImageProvider(home.Context([]))

        let expected =
            [ "grok-imagine-image"; "grok-imagine-image-quality"; "grok-imagine-image-2.0" ]

        Assert.Equal<string list>(expected, Catalog.modelIds p.Catalog)
        Assert.Equal("grok-imagine-image", p.Catalog.DefaultModel)
        let! listed = p.ListModelsAsync CancellationToken.None
        Assert.Equal<string list>(expected, ids listed)
        Assert.Equal("Grok Imagine Image 2.0", (listed |> Seq.find (fun m -> m.Id = "grok-imagine-image-2.0")).Display)
    }

[<Fact>]
let ``test_unknown_live_model_appears_in_catalog: curated displays kept, the new id listed after them`` () =
    task {
        use home = new TestHome()
        use s = new LoopbackServer(Reply.routes [ modelsPath, Reply.json 200 liveModels ])
        let p = XaiImageProvider(home.Context(xaiEnv s))
        let! listed = p.ListModelsAsync CancellationToken.None

        Assert.Equal<string list>(
            [
                "grok-imagine-image"
                "grok-imagine-image-quality"
                "grok-imagine-image-2.0"
                "grok-imagine-image-3"
            ],
            ids listed
        )

        Assert.Equal("Grok Imagine Image", listed[0].Display)
        Assert.Equal(Catalog.xaiLiveModel "grok-imagine-image-3", listed[3])
        let request = Assert.Single(s.Requests)
        Assert.Equal(Some "Bearer xai-test-key-123456", request.Header "Authorization")
        Assert.Contains("grok-imagine-image-3", Catalog.modelIds p.Catalog)
    }

[<Fact>]
let ``test_unknown_live_model_appears_in_catalog: a live-only model is accepted as the model of a generation`` () =
    task {
        use home = new TestHome()

        use s =
            new LoopbackServer(
                Reply.routes
                    [
                        modelsPath, Reply.json 200 liveModels
                        generations, Reply.json 200 (b64Response (png 10))
                    ]
            )

        let p = XaiImageProvider(home.Context(xaiEnv s))

        let! result = p.GenerateAsync("fox", AspectRatio.Square, GenerateOptions(Model = "grok-imagine-image-3"), CancellationToken.None)

        let ok = success result
        Assert.Equal("grok-imagine-image-3", ok.Model)
        Assert.Equal("grok-imagine-image-3", jsonField (s.Requests |> List.find (fun r -> r.Method = "POST")).Body "model")
        Assert.Equal<obj>("grok-imagine-image-3", ok.Extras["requested_model"])
    }

[<Fact>]
let ``test_unknown_live_model_appears_in_catalog: the library plans a live-only --model after asking the live list`` () =
    task {
        use home = new TestHome()

        use s =
            new LoopbackServer(
                Reply.routes
                    [
                        modelsPath, Reply.json 200 liveModels
                        generations, Reply.json 200 (b64Response (png 10))
                    ]
            )

        let client = Hermes.Providers.Library.HermesClient(home.Context(xaiEnv s))

        let! result =
            client.GenerateAsync(
                "fox",
                Hermes.Providers.Library.HermesGenerateOptions(Provider = "xai", Model = "grok-imagine-image-3"),
                CancellationToken.None
            )

        Assert.Equal("grok-imagine-image-3", (expectOk result).Model)
        Assert.Equal(1, (modelRequests s).Length)
    }

[<Fact>]
let ``a model neither curated nor live is refused, after one look at the live list`` () =
    task {
        use home = new TestHome()
        use s = new LoopbackServer(Reply.routes [ modelsPath, Reply.json 200 liveModels ])
        let p = XaiImageProvider(home.Context(xaiEnv s))

        let! result = p.GenerateAsync("fox", AspectRatio.Square, GenerateOptions(Model = "grok-imagine-imgae"), CancellationToken.None)

        let error = expectErrorKind ErrorKind.InvalidArgument result
        Assert.Contains("grok-imagine-imgae", error.Message)
        Assert.Contains("grok-imagine-image-3", error.Message)
        Assert.Equal<string list>([ "GET" ], s.Requests |> List.map _.Method)
    }

[<Theory>]
[<InlineData(500, "{\"error\":\"down\"}")>]
[<InlineData(401, "{\"error\":\"Incorrect API key provided\"}")>]
[<InlineData(200, "<html>proxy</html>")>]
[<InlineData(200, "{\"models\":[]}")>]
let ``test_live_failure_falls_back_to_static: any failure gives the static list, remembered for 300 s, never cached on disk``
    (status: int, body: string)
    =
    task {
        use home = new TestHome()
        use s = new LoopbackServer(Reply.routes [ modelsPath, Reply.json status body ])
        let p = XaiImageProvider(home.Context(xaiEnv s))
        let! first = p.ListModelsAsync CancellationToken.None
        let! second = p.ListModelsAsync CancellationToken.None
        Assert.Equal<string list>(XaiModels.staticIds, ids first)
        Assert.Equal<string list>(XaiModels.staticIds, ids second)
        Assert.Equal(1, (modelRequests s).Length)
        Assert.False(IO.File.Exists(XaiModelCatalog.CachePath home.Path))
    }

[<Fact>]
let ``the live list is kept 300 s in the provider instance, then asked again`` () =
    task {
        use home = new TestHome()
        use s = new LoopbackServer(Reply.routes [ modelsPath, Reply.json 200 liveModels ])
        let clock = ManualClock(DateTimeOffset.UtcNow)
        let p = XaiImageProvider(home.Context(xaiEnv s, clock = clock))
        let! _ = p.ListModelsAsync CancellationToken.None
        clock.Now <- clock.Now.AddSeconds 299.0
        let! _ = p.ListModelsAsync CancellationToken.None
        Assert.Equal(1, (modelRequests s).Length)
        clock.Now <- clock.Now.AddSeconds 2.0
        let! listed = p.ListModelsAsync CancellationToken.None
        Assert.Equal(2, (modelRequests s).Length)
        Assert.Contains("grok-imagine-image-3", ids listed)
    }

[<Fact>]
let ``the live list is cached in HERMES_HOME for the next CLI run, fresh for 300 s by file time`` () =
    task {
        use home = new TestHome()
        use s = new LoopbackServer(Reply.routes [ modelsPath, Reply.json 200 liveModels ])
        let! _ = XaiImageProvider(home.Context(xaiEnv s)).ListModelsAsync CancellationToken.None
        let cache = XaiModelCatalog.CachePath home.Path
        Assert.Equal(IO.Path.Combine(home.Path, "cache", "xai-models.json"), cache)
        Assert.True(IO.File.Exists cache)

        // the next run: no request while the file is fresh, and the catalog knows the live id without asking
        let next = XaiImageProvider(home.Context(xaiEnv s))
        Assert.Contains("grok-imagine-image-3", Catalog.modelIds next.Catalog)
        let! listed = next.ListModelsAsync CancellationToken.None
        Assert.Contains("grok-imagine-image-3", ids listed)
        Assert.Equal(1, (modelRequests s).Length)

        IO.File.SetLastWriteTimeUtc(cache, DateTime.UtcNow.AddSeconds -301.0)
        let! _ = XaiImageProvider(home.Context(xaiEnv s)).ListModelsAsync CancellationToken.None
        Assert.Equal(2, (modelRequests s).Length)
    }

[<Fact>]
let ``a known model never waits for the live list`` () =
    task {
        use home = new TestHome()

        use s =
            new LoopbackServer(
                Reply.routes
                    [
                        modelsPath, Reply.json 200 liveModels
                        generations, Reply.json 200 (b64Response (png 10))
                    ]
            )

        let p = XaiImageProvider(home.Context(xaiEnv s))

        for model in [ null; "grok-imagine-image-2.0" ] do
            let! result = p.GenerateAsync("fox", AspectRatio.Square, GenerateOptions(Model = model), CancellationToken.None)
            ignore (success result)

        Assert.Empty(modelRequests s)
    }

[<Fact>]
let ``test_storage_options_are_sent_by_default: public_url true, no expires_after, a fresh .png file name`` () =
    task {
        use home = new TestHome()

        use s =
            new LoopbackServer(Reply.routes [ generations, Reply.json 200 (b64Response (png 10)) ])

        let p = provider home s (CapturedLogs())
        let! first = generate p AspectRatio.Square
        let! _ = generate p AspectRatio.Square

        let storage =
            s.Requests |> List.map (fun r -> (json r.Body).["storage_options"].AsObject())

        Assert.Equal<obj>(true, (success first).Extras["storage_enabled"])

        for options in storage do
            Assert.Equal<string list>([ "filename"; "public_url" ], options |> Seq.map _.Key |> List.ofSeq)
            Assert.True(options.["public_url"].GetValue<bool>())
            Assert.Matches("^hermes-xai-image-[0-9]{8}-[0-9]{6}-[0-9a-f]{8}\\.png$", options.["filename"].GetValue<string>())

        Assert.NotEqual<string>(storage[0].["filename"].GetValue<string>(), storage[1].["filename"].GetValue<string>())
    }

[<Theory>]
[<InlineData("    expires_after: 7d\n", "{\"public_url\":true,\"expires_after\":604800}")>]
[<InlineData("    expires_after: 90\n    public_url: false\n", "{\"public_url\":false,\"expires_after\":90}")>]
[<InlineData("    expires_after: definitely-not-a-duration\n", "{\"public_url\":true,\"expires_after\":172800}")>]
[<InlineData("    expires_after: never\n", "{\"public_url\":true}")>]
[<InlineData("    enabled: false\n", "")>]
let ``storage options follow image_gen.xai.storage in config.yaml`` (storageYaml: string, expected: string) =
    task {
        use home = new TestHome()
        home.WriteConfig("image_gen:\n  xai:\n    storage:\n" + storageYaml.Replace("    ", "      "))

        use s =
            new LoopbackServer(Reply.routes [ generations, Reply.json 200 (b64Response (png 10)) ])

        let! result = generate (provider home s (CapturedLogs())) AspectRatio.Square
        let sent = (json s.Requests.Head.Body).AsObject()

        if expected = "" then
            Assert.False(sent.ContainsKey "storage_options")
            Assert.Equal<obj>(false, (success result).Extras["storage_enabled"])
        else
            let options = sent.["storage_options"].AsObject()
            options.Remove "filename" |> ignore
            assertJson expected (options.ToJsonString())
    }

[<Fact>]
let ``test_public_url_file_output_wins_over_temporary_url: the durable URL's bytes are cached and it is reported`` () =
    task {
        use home = new TestHome()
        let stored = png 321
        let mutable server: LoopbackServer option = None

        let answer () =
            sprintf
                """{"data":[{"url":"%s","file_output":{"file_id":"file-123","filename":"stored.png","public_url":"%s","public_url_expires_at":1234567890}}]}"""
                (server.Value.Url "/imgen/xai-tmp-imgen-test.jpeg")
                (server.Value.Url "/files/stored.png")

        let reply =
            Reply.routes
                [
                    generations, (fun r c -> Reply.json 200 (answer ()) r c)
                    ("GET", "/files/stored.png"), Reply.bytes 200 "image/png" stored
                    ("GET", "/imgen/xai-tmp-imgen-test.jpeg"), Reply.bytes 200 "image/jpeg" (jpeg 10)
                ]

        use s = new LoopbackServer(reply)
        server <- Some s
        let! result = generate (provider home s (CapturedLogs())) AspectRatio.Square
        let ok = success result
        assertLocalFile home ok.Image stored
        Assert.Equal<obj>(s.Url "/files/stored.png", ok.Extras["public_url"])
        Assert.Equal<obj>("file_output", ok.Extras["output_branch"])
        Assert.False(ok.Extras.ContainsKey "file_id")
        Assert.DoesNotContain("/imgen/xai-tmp-imgen-test.jpeg", s.Requests |> List.map _.Path)
    }

/// An answer of each branch with the given top-level model (None: no model key) and revised prompt.
let provenanceAnswer (server: LoopbackServer) (branch: string) (model: string option) (revised: string option) =
    let image =
        match branch with
        | "b64_json" -> sprintf "\"b64_json\":\"%s\"" (Convert.ToBase64String(png 12))
        | "url" -> sprintf "\"url\":\"%s\"" (server.Url "/imgen/tmp.png")
        | _ -> sprintf "\"url\":\"%s\",\"file_output\":{\"public_url\":\"%s\"}" (server.Url "/imgen/tmp.png") (server.Url "/files/kept.png")

    let revisedField =
        revised
        |> Option.map (sprintf ",\"revised_prompt\":\"%s\"")
        |> Option.defaultValue ""

    let modelField =
        match model with
        | Some "null" -> "\"model\":null,"
        | Some m -> sprintf "\"model\":\"%s\"," m
        | None -> ""

    sprintf """{%s"usage":{"input_tokens":7,"output_tokens":1},"data":[{%s%s}]}""" modelField image revisedField

let generateWithAnswer (home: TestHome) (logs: CapturedLogs) (answer: LoopbackServer -> string) =
    task {
        let mutable server: LoopbackServer option = None

        use s =
            new LoopbackServer(
                Reply.routes
                    [
                        generations, (fun r c -> Reply.json 200 (answer server.Value) r c)
                        ("GET", "/imgen/tmp.png"), Reply.bytes 200 "image/png" (png 13)
                        ("GET", "/files/kept.png"), Reply.bytes 200 "image/png" (png 14)
                    ]
            )

        server <- Some s
        let! result = generate (provider home s logs) AspectRatio.Square
        return success result
    }

[<Theory>]
[<InlineData("b64_json")>]
[<InlineData("url")>]
[<InlineData("file_output")>]
let ``test_xai_response_provenance: image_result_preserves_response_identity`` (branch: string) =
    task {
        use home = new TestHome()
        let logs = CapturedLogs()

        let! ok =
            generateWithAnswer home logs (fun s -> provenanceAnswer s branch (Some "grok-imagine-image-quality") (Some "a fox, revised"))

        Assert.StartsWith(home.CacheDir, ok.Image)
        Assert.Equal("grok-imagine-image", ok.Model)
        Assert.Equal<obj>("grok-imagine-image", ok.Extras["requested_model"])
        Assert.Equal<obj>("grok-imagine-image-quality", ok.Extras["response_model"])
        Assert.Equal<obj>(true, ok.Extras["model_mismatch"])
        let warning = ok.Extras["warning"] :?> string
        Assert.Contains("grok-imagine-image-quality", warning)
        Assert.Contains(warning, logs.Warnings)
        Assert.Equal<obj>("a fox, revised", ok.Extras["revised_prompt"])
        Assert.Equal<obj>(branch, ok.Extras["output_branch"])
        let usage = ok.Extras["usage"] :?> Collections.Generic.IDictionary<string, int64>
        Assert.Equal(7L, usage["input_tokens"])
    }

[<Theory>]
[<InlineData("", "b64_json")>]
[<InlineData("null", "url")>]
[<InlineData("grok-imagine-image", "file_output")>]
[<InlineData(" GROK-Imagine-Image ", "b64_json")>]
let ``test_xai_response_provenance: missing_or_matching_response_model_is_not_a_mismatch`` (model: string, branch: string) =
    task {
        use home = new TestHome()
        let logs = CapturedLogs()
        let given = if model = "" then None else Some model
        let! ok = generateWithAnswer home logs (fun s -> provenanceAnswer s branch given None)
        Assert.Equal<obj>(false, ok.Extras["model_mismatch"])
        Assert.False(ok.Extras.ContainsKey "warning")
        Assert.False(ok.Extras.ContainsKey "revised_prompt")
        Assert.Equal(model.Length > 0 && model <> "null", ok.Extras.ContainsKey "response_model")
        Assert.Equal<obj>("grok-imagine-image", ok.Extras["requested_model"])
        Assert.Empty(logs.Warnings)
    }
