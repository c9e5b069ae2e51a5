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
        assertJson """{"model":"grok-imagine-image","prompt":"a red fox in snow","aspect_ratio":"16:9","resolution":"1k"}""" request.Body
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
            Assert.Equal<string list>([ "model"; "prompt"; "aspect_ratio"; "resolution" ], jsonKeys r.Body)
    }
