/// trust.md "Image URLs": a fake xAI on 127.0.0.1 (XAI_BASE_URL, the one trusted origin) answers with hostile image URLs.
module Hermes.Tests.Trust.HostileImageHostTests

open System
open System.IO
open System.Net
open System.Text
open System.Threading
open Flurl.Http
open Xunit
open Hermes.Providers.Cache
open Hermes.Domain
open Hermes.Providers.Core
open Hermes.Providers.Http
open Hermes.Providers.Xai
open Hermes.Tests.Support
open Hermes.Tests.Support.Fakes
open Hermes.Tests.Trust.HostileFakes

let generations = "POST", "/v1/images/generations"

let xai (home: TestHome) (fake: LoopbackServer) =
    XaiImageProvider(home.Context([ "XAI_API_KEY", "xai-hostile-key-0123456789"; "XAI_BASE_URL", fake.Url "/v1" ]))

let generate (home: TestHome) (fake: LoopbackServer) =
    (xai home fake).GenerateAsync("a fox", AspectRatio.Square, GenerateOptions.Default, CancellationToken.None)

/// A fake xAI answering every generation with this URL, and serving `files` (path → reply) on its own origin.
let answering (url: LoopbackServer -> string) (files: (string * Reply) list) =
    let mutable self: LoopbackServer option = None

    let server =
        new LoopbackServer(
            Reply.routes (
                (generations, (fun r c -> Reply.json 200 (urlAnswer (url self.Value)) r c))
                :: (files |> List.map (fun (path, reply) -> ("GET", path), reply))
            )
        )

    self <- Some server
    server

/// A refusal as trust.md wants it: invalid_response, no image returned, nothing in the cache (no .part either).
let refused (home: TestHome) (result: ImageGenResult) =
    let error = expectErrorKind ErrorKind.InvalidResponse result
    Assert.Empty(home.CachedFiles())
    assertPrintable error.Message
    error

[<Theory>]
[<InlineData("file:///etc/hostname")>]
[<InlineData("file://localhost/etc/hostname")>]
[<InlineData("FILE:///etc/hostname")>]
[<InlineData("/etc/hostname")>]
[<InlineData("etc/hostname")>]
[<InlineData("../../../../etc/hostname")>]
[<InlineData("./image.png")>]
[<InlineData("image.png")>]
[<InlineData("//127.0.0.2/image.png")>]
[<InlineData("\\\\127.0.0.2\\share\\image.png")>]
[<InlineData("C:\\Windows\\win.ini")>]
[<InlineData("ftp://127.0.0.1/image.png")>]
[<InlineData("javascript:alert(1)")>]
[<InlineData("gopher://127.0.0.1:6379/_INFO")>]
let ``scheme: a provider's file URL, absolute, relative or other-scheme path is refused and never read`` (url: string) =
    task {
        use home = new TestHome()
        use fake = answering (fun _ -> url) []
        let! result = generate home fake
        let error = refused home result
        Assert.Contains("refused", error.Message)
        Assert.Empty(requestsOf fake "GET")
    }

[<Fact>]
let ``address: an image URL on 127.0.0.2 is refused and that host sees no connection`` () =
    task {
        use home = new TestHome()
        use internalService = new Sentinel(IPAddress.Parse "127.0.0.2")
        use fake = answering (fun _ -> internalService.Url("127.0.0.2", "/image.png")) []
        let! result = generate home fake
        let error = refused home result
        Assert.Contains("loopback", error.Message)
        Assert.Equal(0, internalService.Connections)
    }

[<Fact>]
let ``address: an image URL on [::1] is refused and that host sees no connection`` () =
    task {
        use home = new TestHome()
        use internalService = new Sentinel(IPAddress.IPv6Loopback)
        use fake = answering (fun _ -> internalService.Url("[::1]", "/image.png")) []
        let! result = generate home fake
        refused home result |> ignore
        Assert.Equal(0, internalService.Connections)
    }

[<Fact>]
let ``address: localhost on the trusted port is not the configured origin and is refused`` () =
    task {
        use home = new TestHome()

        use fake =
            answering
                (fun self -> self.Url("/image.png").Replace("127.0.0.1", "localhost"))
                [ "/image.png", Reply.bytes 200 "image/png" (png 64) ]

        let! result = generate home fake
        let error = refused home result
        Assert.Contains("local name", error.Message)
        Assert.Empty(requestsOf fake "GET")
    }

[<Theory>]
[<InlineData("2130706433")>]
[<InlineData("0x7f.1")>]
[<InlineData("0177.0.0.1")>]
[<InlineData("0x7f000001")>]
[<InlineData("127.1")>]
[<InlineData("[::ffff:127.0.0.1]")>]
[<InlineData("[::ffff:7f00:1]")>]
let ``address: decimal, octal, hex and IPv4-mapped spellings of 127.0.0.1 on another port are refused`` (spelling: string) =
    task {
        use home = new TestHome()
        use otherPort = new Sentinel(IPAddress.Loopback)
        use fake = answering (fun _ -> otherPort.Url(spelling, "/image.png")) []
        let! result = generate home fake
        refused home result |> ignore
        Assert.Equal(0, otherPort.Connections)
    }

[<Fact>]
let ``the one exception: the configured base URL's origin is trusted whatever its address`` () =
    task {
        use home = new TestHome()
        let image = png 2048

        use fake =
            answering (fun self -> self.Url "/image.png") [ "/image.png", Reply.bytes 200 "image/png" image ]

        let! result = generate home fake
        assertLocalFile home (success result).Image image
        Assert.Single(requestsOf fake "GET") |> ignore
    }

/// The guarded client alone, without the URL rules in front of it: only the connect step stands in the way.
let guardedGet (trusted: string list) (url: string) =
    task {
        use client = GuardedHttp.CreateClient(TrustedOrigins.Of trusted)

        try
            let! response = client.Request(url).AllowAnyHttpStatus().GetAsync()
            return Ok response.StatusCode
        with e ->
            return Error e
    }

[<Theory>]
[<InlineData("127.0.0.2")>]
[<InlineData("localhost")>]
[<InlineData("2130706433")>]
let ``address: the socket connect step refuses an internal address even when the URL check is bypassed`` (host: string) =
    task {
        let address =
            if host = "127.0.0.2" then
                IPAddress.Parse host
            else
                IPAddress.Loopback

        use internalService = new Sentinel(address)
        let! outcome = guardedGet [] (internalService.Url(host, "/image.png"))

        match outcome with
        | Ok status -> failwithf "expected a refused connection, got HTTP %d" status
        | Error e ->
            Assert.Contains("refused to connect", e.ToString())
            Assert.Equal(0, internalService.Connections)
    }

[<Fact>]
let ``address: the socket connect step lets the configured origin through, and only that port`` () =
    task {
        use internalService = new Sentinel(IPAddress.Parse "127.0.0.2")
        use otherPort = new Sentinel(IPAddress.Parse "127.0.0.2")
        let trusted = [ internalService.Url("127.0.0.2", "/v1") ]
        let! allowed = guardedGet trusted (internalService.Url("127.0.0.2", "/image.png"))
        let! other = guardedGet trusted (otherPort.Url("127.0.0.2", "/image.png"))
        Assert.Equal(Ok 200, allowed |> Result.mapError string)
        Assert.True(Result.isError other)
        Assert.Equal(1, internalService.Connections)
        Assert.Equal(0, otherPort.Connections)
    }

[<Fact>]
let ``scheme: a data URL holding an image is decoded and saved`` () =
    task {
        use home = new TestHome()
        let image = png 300

        use fake =
            answering (fun _ -> "data:image/png;base64," + Convert.ToBase64String image) []

        let! result = generate home fake
        assertLocalFile home (success result).Image image
    }

[<Theory>]
[<InlineData("<!doctype html><html><body>not an image</body></html>")>]
[<InlineData("<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>")>]
[<InlineData("#!/bin/sh\nrm -rf ~\n")>]
let ``what is saved: a data URL whose bytes are not an image is refused`` (text: string) =
    task {
        use home = new TestHome()

        use fake =
            answering (fun _ -> "data:image/png;base64," + Convert.ToBase64String(Encoding.UTF8.GetBytes text)) []

        let! result = generate home fake
        refused home result |> ignore
    }

[<Theory>]
[<InlineData("text/html", "<!doctype html><html><body>Sign in to continue</body></html>")>]
[<InlineData("image/png", "<!doctype html><html><body>Sign in to continue</body></html>")>]
[<InlineData("image/png", "{\"error\":\"url expired\"}")>]
[<InlineData("image/png", "<svg xmlns=\"http://www.w3.org/2000/svg\"/>")>]
[<InlineData("image/jpeg", "plain text")>]
let ``what is saved: HTML, JSON, SVG or text served as an image is refused and nothing is kept`` (contentType: string, body: string) =
    task {
        use home = new TestHome()

        use fake =
            answering (fun self -> self.Url "/image.png") [ "/image.png", Reply.text 200 contentType body ]

        let! result = generate home fake
        let error = refused home result
        Assert.Contains("not an image", error.Message)
        Assert.Single(requestsOf fake "GET") |> ignore
    }

[<Theory>]
[<InlineData(false)>]
[<InlineData(true)>]
let ``size: a 100 MB image stream is cut at the 25 MiB cap and nothing is kept`` (announced: bool) =
    task {
        use home = new TestHome()
        let pngHead = png 16

        use fake =
            answering (fun self -> self.Url "/huge.png") [ "/huge.png", Hostile.stream "image/png" pngHead 100_000_000L announced ]

        let! result = generate home fake
        let error = refused home result
        Assert.Contains("cap", error.Message)
    }

[<Fact>]
let ``size: a gzip bomb served as an image is cut at the 25 MiB cap once inflated and nothing is kept`` () =
    task {
        use home = new TestHome()
        let bomb = gzipBomb (png 16) (64 * 1024 * 1024)

        use fake =
            answering (fun self -> self.Url "/bomb.png") [ "/bomb.png", gzipped "image/png" bomb ]

        let! result = generate home fake
        let error = refused home result
        Assert.Contains("cap", error.Message)
    }

[<Fact>]
let ``redirects: followed by Hermes itself, five hops are allowed and each target is checked`` () =
    task {
        use home = new TestHome()
        let image = png 500
        let hop (n: int) = sprintf "/hop/%d" n

        use fake =
            answering
                (fun self -> self.Url(hop 1))
                (List.init 5 (fun i -> hop (i + 1), Hostile.redirect 302 (Some(hop (i + 2))))
                 @ [ hop 6, Reply.bytes 200 "image/png" image ])

        let! result = generate home fake
        assertLocalFile home (success result).Image image
        Assert.Equal(6, (requestsOf fake "GET").Length)
    }

[<Theory>]
[<InlineData(true)>]
[<InlineData(false)>]
let ``redirects: a loop is an error after at most five hops and nothing is kept`` (selfLoop: bool) =
    task {
        use home = new TestHome()

        use fake =
            answering
                (fun self -> self.Url "/a.png")
                [
                    "/a.png", Hostile.redirect 302 (Some(if selfLoop then "/a.png" else "/b.png"))
                    "/b.png", Hostile.redirect 301 (Some "/a.png")
                ]

        let! result = generate home fake
        let error = refused home result
        Assert.Contains("redirected more than 5 times", error.Message)
        Assert.Equal(6, (requestsOf fake "GET").Length)
    }

[<Theory>]
[<InlineData(301)>]
[<InlineData(302)>]
[<InlineData(303)>]
[<InlineData(307)>]
[<InlineData(308)>]
let ``redirects: a 3xx without Location is an error and nothing is kept`` (status: int) =
    task {
        use home = new TestHome()

        use fake =
            answering (fun self -> self.Url "/moved.png") [ "/moved.png", Hostile.redirect status None ]

        let! result = generate home fake
        let error = refused home result
        Assert.Contains("no Location", error.Message)
    }

[<Fact>]
let ``redirects: a redirect from the trusted fake to 127.0.0.2 is refused and 127.0.0.2 sees no connection`` () =
    task {
        use home = new TestHome()
        use internalService = new Sentinel(IPAddress.Parse "127.0.0.2")

        use fake =
            answering
                (fun self -> self.Url "/image.png")
                [
                    "/image.png", Hostile.redirect 302 (Some(internalService.Url("127.0.0.2", "/latest/meta-data/")))
                ]

        let! result = generate home fake
        refused home result |> ignore
        Assert.Equal(0, internalService.Connections)
    }

[<Theory>]
[<InlineData("file:///etc/hostname")>]
[<InlineData("data:image/png;base64,iVBORw0KGgo=")>]
[<InlineData("http://localhost/image.png")>]
[<InlineData("http://127.0.0.3/latest/meta-data/")>]
[<InlineData("http://[::1]/image.png")>]
[<InlineData("//127.0.0.2/image.png")>]
let ``redirects: each hop's target is checked by the same URL rules`` (target: string) =
    task {
        use home = new TestHome()

        use fake =
            answering (fun self -> self.Url "/image.png") [ "/image.png", Hostile.redirect 307 (Some target) ]

        let! result = generate home fake
        refused home result |> ignore
        Assert.Single(requestsOf fake "GET") |> ignore
    }

[<Fact>]
let ``failure: .part files older than an hour are swept, a fresh one is left alone`` () =
    task {
        use home = new TestHome()
        Directory.CreateDirectory home.CacheDir |> ignore
        let stale = Path.Combine(home.CacheDir, ".0123456789ABCDEF.part")
        let fresh = Path.Combine(home.CacheDir, ".FEDCBA9876543210.part")
        File.WriteAllBytes(stale, [| 1uy |])
        File.WriteAllBytes(fresh, [| 2uy |])
        File.SetLastWriteTimeUtc(stale, DateTime.UtcNow.AddHours -2.0)

        use fake =
            answering (fun _ -> "data:image/png;base64," + Convert.ToBase64String(png 10)) []

        let! result = generate home fake
        success result |> ignore
        Assert.False(File.Exists stale)
        Assert.True(File.Exists fresh)
    }

[<Fact>]
let ``failure: an address refused in the socket connect step is an error, never the bare URL as the image`` () =
    task {
        use home = new TestHome()
        let logs = CapturedLogs()
        use internalService = new Sentinel(IPAddress.Parse "127.0.0.2")
        let url = internalService.Url("127.0.0.2", "/image.png")
        // The URL rules let it through; only the connect step, which trusts nothing here, stands in the way.
        let cache =
            ImageCache(
                home.CacheDir,
                GuardedHttp.CreateClient TrustedOrigins.None,
                TrustedOrigins.Of [ url ],
                TimeProvider.System,
                logs.Logger
            )

        let! result = cache.CacheOrFallbackAsync(url, "hostile", CancellationToken.None)
        let error = expectError result
        Assert.Equal("invalid_response", error.ErrorType)
        Assert.Contains("refused to connect", error.Message)
        Assert.Equal(0, internalService.Connections)
        Assert.Empty(home.CachedFiles())
        Assert.Empty(logs.Warnings)
    }
