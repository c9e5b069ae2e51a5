module Hermes.Tests.Cache.ImageCacheTests

open System
open System.IO
open System.Threading
open System.Threading.Tasks
open Xunit
open FsCheck.Xunit
open FsCheck
open Hermes
open Hermes.Providers.Cache
open Hermes.Providers.Core
open Hermes.Providers.Http
open Hermes.Domain
open Hermes.Tests.Support
open LanguageExt

/// PNG-signed bytes: the cache keeps only bytes whose magic number is an image.
let randomBytes (n: int) = Hermes.Tests.Support.Fakes.png (max 0 (n - 8))

/// A cache that trusts this image server the way a configured base URL is trusted.
let cacheFor (home: TestHome) (logs: CapturedLogs) (serverUrl: string) =
    let trusted = TrustedOrigins.Of [ serverUrl ]
    ImageCache(home.CacheDir, GuardedHttp.CreateClient trusted, trusted, TimeProvider.System, logs.Logger)

let newCache (home: TestHome) (logs: CapturedLogs) = cacheFor home logs "http://127.0.0.1:1"

let saved (result: Either<HermesError, SavedImage>) =
    match result.Case with
    | :? SavedImage as image -> image.Path
    | :? HermesError as error -> failwithf "expected a saved image, got %s: %s" error.ErrorType error.Message
    | other -> failwithf "unexpected %A" other

let failed (result: Either<HermesError, SavedImage>) =
    match result.Case with
    | :? HermesError as error -> error
    | other -> failwithf "expected an error, got %A" other

let ext (path: string) = Path.GetExtension(path).TrimStart('.')

[<Fact>]
let ``bytes round-trip through a URL download`` () =
    task {
        use home = new TestHome()
        let body = randomBytes 200_000
        use server = new LoopbackServer(Reply.bytes 200 "image/png" body)
        let! result = (cacheFor home (CapturedLogs()) server.BaseUrl).SaveUrlAsync(server.Url("/img"), "xai_grok", CancellationToken.None)
        let path = saved result
        Assert.Equal<byte[]>(body, File.ReadAllBytes path)
        Assert.Equal(home.CacheDir, Path.GetDirectoryName path)
        Assert.StartsWith("xai_grok_", Path.GetFileName path)
        Assert.Equal("png", ext path)
    }

/// Bytes of each image type as its magic number starts it.
let signed (format: string) =
    match format with
    | "jpg" -> Hermes.Tests.Support.Fakes.jpeg 64
    | "gif" -> Array.append "GIF89a"B (Array.zeroCreate 64)
    | "webp" -> Array.concat [ "RIFF"B; [| 0uy; 0uy; 0uy; 0uy |]; "WEBP"B; Array.zeroCreate 64 ]
    | _ -> randomBytes 64

[<Theory>]
[<InlineData("image/png", "jpg")>]
[<InlineData("application/octet-stream", "webp")>]
[<InlineData("image/jpeg", "gif")>]
[<InlineData("IMAGE/PNG; charset=binary", "png")>]
let ``the magic number decides the extension whatever the content type says`` (contentType: string, format: string) =
    task {
        use home = new TestHome()
        use server = new LoopbackServer(Reply.bytes 200 contentType (signed format))
        let! result = (cacheFor home (CapturedLogs()) server.BaseUrl).SaveUrlAsync(server.Url("/x.png"), "p", CancellationToken.None)
        Assert.Equal(format, ext (saved result))
    }

[<Theory>]
[<InlineData("text/html", "<!doctype html><html><body>not found</body></html>")>]
[<InlineData("image/png", "{\"error\":\"expired\"}")>]
[<InlineData("image/png", "<svg xmlns=\"http://www.w3.org/2000/svg\"></svg>")>]
[<InlineData("image/png", "plain text served as an image")>]
let ``bytes that are not an image are refused as invalid_response and nothing is kept`` (contentType: string, body: string) =
    task {
        use home = new TestHome()
        use server = new LoopbackServer(Reply.text 200 contentType body)
        let! result = (cacheFor home (CapturedLogs()) server.BaseUrl).SaveUrlAsync(server.Url("/image.png"), "p", CancellationToken.None)
        Assert.Equal(ErrorKind.InvalidResponse, (failed result).Kind)
        Assert.Empty(home.CachedFiles())
    }

[<Fact>]
let ``a 404 propagates with its status and leaves nothing`` () =
    task {
        use home = new TestHome()
        use server = new LoopbackServer(Reply.json 404 """{"error":"expired"}""")
        let! result = (cacheFor home (CapturedLogs()) server.BaseUrl).SaveUrlAsync(server.Url("/xai-tmp-1.png"), "p", CancellationToken.None)
        let error = failed result
        Assert.Equal(ErrorKind.ProviderError, error.Kind)
        Assert.Equal(Nullable 404, error.HttpStatus)
        Assert.Contains("HTTP 404", error.Message)
        Assert.Empty(home.CachedFiles())
    }

[<Fact>]
let ``an empty body is refused and nothing is left`` () =
    task {
        use home = new TestHome()
        use server = new LoopbackServer(Reply.bytes 200 "image/png" [||])
        let! result = (cacheFor home (CapturedLogs()) server.BaseUrl).SaveUrlAsync(server.Url("/a.png"), "p", CancellationToken.None)
        Assert.Equal(ErrorKind.InvalidResponse, (failed result).Kind)
        Assert.Empty(home.CachedFiles())
    }

[<Fact>]
let ``a body past the cap is aborted and the partial file deleted`` () =
    task {
        use home = new TestHome()
        let chunks = List.init 20 (fun i -> randomBytes (1000 + i))
        use server = new LoopbackServer(Reply.chunked "image/png" chunks TimeSpan.Zero)
        let cache = ImageCache(home.CacheDir, GuardedHttp.CreateClient(TrustedOrigins.Of [ server.BaseUrl ]), TrustedOrigins.Of [ server.BaseUrl ], TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, MaxImageBytes = 5_000L)
        let! result = cache.SaveUrlAsync(server.Url("/big.png"), "p", CancellationToken.None)
        let error = failed result
        Assert.Equal(ErrorKind.InvalidResponse, error.Kind)
        Assert.Contains("5000 bytes", error.Message)
        Assert.Empty(home.CachedFiles())
    }

[<Fact>]
let ``a Content-Length above the cap is refused before the body is read`` () =
    task {
        use home = new TestHome()

        let huge: Reply =
            fun _ ctx ->
                task {
                    ctx.Response.ContentType <- "image/png"
                    ctx.Response.ContentLength <- Nullable 1_000_000_000L
                    do! ctx.Response.Body.WriteAsync(randomBytes 100, 0, 100)
                    do! ctx.Response.Body.FlushAsync()

                    try
                        do! Task.Delay(Timeout.Infinite, ctx.RequestAborted)
                    with :? OperationCanceledException ->
                        ()
                }

        use server = new LoopbackServer(huge)
        let started = Diagnostics.Stopwatch.StartNew()
        let! result = (cacheFor home (CapturedLogs()) server.BaseUrl).SaveUrlAsync(server.Url("/huge.png"), "p", CancellationToken.None)
        Assert.Equal(ErrorKind.InvalidResponse, (failed result).Kind)
        Assert.Contains("announces 1000000000 bytes", (failed result).Message)
        Assert.True(started.Elapsed < TimeSpan.FromSeconds 10.0)
        Assert.Empty(home.CachedFiles())
    }

[<Fact>]
let ``a Content-Length that announces less than is sent never puts more than announced on disk`` () =
    task {
        use home = new TestHome()
        let body = randomBytes 50_000

        use server =
            new RawHttpServer(
                RawHttpServer.Response(
                    [
                        "HTTP/1.1 200 OK"
                        "Content-Type: image/png"
                        "Content-Length: 1000"
                        "Connection: close"
                    ],
                    body
                )
            )

        let cache = ImageCache(home.CacheDir, GuardedHttp.CreateClient(TrustedOrigins.Of [ server.Url "" ]), TrustedOrigins.Of [ server.Url "" ], TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, MaxImageBytes = 2_000L)
        let! result = cache.SaveUrlAsync(server.Url("/lie.png"), "p", CancellationToken.None)
        let path = saved result
        Assert.Equal<byte[]>(body[..999], File.ReadAllBytes path)
        Assert.Equal(1, home.CachedFiles().Length)
    }

[<Fact>]
let ``a connection dropped mid-body is an error and the partial file is deleted`` () =
    task {
        use home = new TestHome()

        use server =
            new LoopbackServer(Reply.dropAfter "image/png" 100_000L (randomBytes 30_000))

        let! result = (cacheFor home (CapturedLogs()) server.BaseUrl).SaveUrlAsync(server.Url("/drop.png"), "p", CancellationToken.None)
        let error = failed result
        Assert.Equal(ErrorKind.Network, error.Kind)
        Assert.Contains("after", error.Message)
        Assert.Empty(home.CachedFiles())
    }

[<Fact>]
let ``a body that goes silent past the idle timeout is an error and leaves nothing`` () =
    task {
        use home = new TestHome()
        use server = new LoopbackServer(Reply.stallAfter "image/png" (randomBytes 4096))

        let cache =
            ImageCache(
                home.CacheDir,
                GuardedHttp.CreateClient(TrustedOrigins.Of [ server.BaseUrl ]),
                TrustedOrigins.Of [ server.BaseUrl ],
                TimeProvider.System,
                Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance,
                IdleTimeout = TimeSpan.FromMilliseconds 300.0
            )

        let! result = cache.SaveUrlAsync(server.Url("/slow.png"), "p", CancellationToken.None)
        Assert.Equal(ErrorKind.Timeout, (failed result).Kind)
        Assert.Empty(home.CachedFiles())
    }

[<Fact>]
let ``headers that never come time out`` () =
    task {
        use home = new TestHome()

        use server =
            new LoopbackServer(Reply.delayed (TimeSpan.FromSeconds 30.0) (Reply.bytes 200 "image/png" [| 1uy |]))

        let cache =
            ImageCache(
                home.CacheDir,
                GuardedHttp.CreateClient(TrustedOrigins.Of [ server.BaseUrl ]),
                TrustedOrigins.Of [ server.BaseUrl ],
                TimeProvider.System,
                Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance,
                HeadersTimeout = TimeSpan.FromMilliseconds 300.0
            )

        let! result = cache.SaveUrlAsync(server.Url("/slow.png"), "p", CancellationToken.None)
        Assert.Equal(ErrorKind.Timeout, (failed result).Kind)
        Assert.Empty(home.CachedFiles())
    }

[<Fact>]
let ``cancelling a download throws and leaves nothing`` () =
    task {
        use home = new TestHome()
        use server = new LoopbackServer(Reply.stallAfter "image/png" (randomBytes 4096))
        use cts = new CancellationTokenSource(TimeSpan.FromMilliseconds 300.0)

        let! error =
            Assert.ThrowsAnyAsync<OperationCanceledException>(fun () ->
                (cacheFor home (CapturedLogs()) server.BaseUrl).SaveUrlAsync(server.Url("/slow.png"), "p", cts.Token) :> Task)

        Assert.NotNull error
        Assert.Empty(home.CachedFiles())
    }

[<Fact>]
let ``file names are unique even for 100 parallel saves in the same second`` () =
    task {
        use home = new TestHome()

        let payload (request: RecordedRequest) =
            Array.append (randomBytes 8) (Text.Encoding.UTF8.GetBytes("image-" + request.Query["i"]))

        use server =
            new LoopbackServer(fun request ctx -> Reply.bytes 200 "image/png" (payload request) request ctx)

        let cache = cacheFor home (CapturedLogs()) server.BaseUrl

        let! results =
            Task.WhenAll
                [
                    for i in 1..100 -> cache.SaveUrlAsync(server.Url(sprintf "/img?i=%d" i), "same", CancellationToken.None)
                ]

        let paths = results |> Array.map saved
        Assert.Equal(100, paths |> Array.distinct |> Array.length)
        Assert.Equal(100, home.CachedFiles().Length)
        let contents = paths |> Array.map (fun p -> Text.Encoding.UTF8.GetString((File.ReadAllBytes p)[8..])) |> Array.sort
        Assert.Equal<string[]>([| for i in 1..100 -> sprintf "image-%d" i |] |> Array.sort, contents)
    }

[<Fact>]
let ``two saves of the same bytes get two names`` () =
    task {
        use home = new TestHome()
        let cache = newCache home (CapturedLogs())
        let b64 = Convert.ToBase64String(randomBytes 32)
        let! first = cache.SaveBase64Async(b64, "openai", CancellationToken.None)
        let! second = cache.SaveBase64Async(b64, "openai", CancellationToken.None)
        Assert.NotEqual<string>(saved first, saved second)
    }

[<Property(MaxTest = 40)>]
let ``any image round-trips through SaveBase64`` (NonEmptyArray(tail: byte[])) =
    use home = new TestHome()
    let bytes = Array.append (randomBytes 8) tail

    let result =
        (newCache home (CapturedLogs())).SaveBase64Async(Convert.ToBase64String bytes, "p", CancellationToken.None).Result

    File.ReadAllBytes(saved result) = bytes

[<Fact>]
let ``data URLs save with the type of their bytes`` () =
    task {
        use home = new TestHome()

        let! result =
            (newCache home (CapturedLogs()))
                .SaveBase64Async("data:image/png;base64," + Convert.ToBase64String(Hermes.Tests.Support.Fakes.jpeg 10), "p", CancellationToken.None)

        Assert.Equal("jpg", ext (saved result))
    }

[<Fact>]
let ``invalid base64 is a typed error and leaves nothing`` () =
    task {
        use home = new TestHome()
        let! result = (newCache home (CapturedLogs())).SaveBase64Async("%%% not base64 %%%", "p", CancellationToken.None)
        Assert.Equal(ErrorKind.InvalidResponse, (failed result).Kind)
        Assert.Empty(home.CachedFiles())
    }

[<Fact>]
let ``cache-or-fallback returns the bare URL after one warning`` () =
    task {
        use home = new TestHome()
        let logs = CapturedLogs()
        use server = new LoopbackServer(Reply.json 404 "{}")
        let url = server.Url("/xai-tmp-gone.png?signature=secret")
        let! result = (cacheFor home logs server.BaseUrl).CacheOrFallbackAsync(url, "xai", CancellationToken.None)
        match result.Case with
        | :? Either<string, SavedImage> as kept -> Assert.Equal(url, kept.IfRight(Func<SavedImage, string>(fun _ -> "a file")))
        | other -> failwithf "expected the bare URL, got %A" other
        let warning = Assert.Single(logs.Warnings)
        Assert.Contains("HTTP 404", warning)
        Assert.DoesNotContain("secret", warning)
    }

[<Fact>]
let ``an unusable URL is refused with the allowed forms`` () =
    task {
        use home = new TestHome()
        let! result = (newCache home (CapturedLogs())).SaveUrlAsync("file:///etc/passwd", "p", CancellationToken.None)
        Assert.Equal(ErrorKind.InvalidResponse, (failed result).Kind)
        Assert.Contains("refused", (failed result).Message)
    }
