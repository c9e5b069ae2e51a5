module Hermes.Tests.Cache.ImageCacheTests

open System
open System.IO
open System.Threading
open System.Threading.Tasks
open Xunit
open FsCheck.Xunit
open FsCheck
open Hermes.Providers.Cache
open Hermes.Providers.Core
open Hermes.Tests.Support
open LanguageExt

let randomBytes (n: int) =
    let bytes = Array.zeroCreate<byte> n
    Random(n).NextBytes bytes
    bytes

let newCache (home: TestHome) (logs: CapturedLogs) =
    ImageCache(home.CacheDir, HermesContext.CreateHttpClient(), TimeProvider.System, logs.Logger)

let saved (result: Either<CacheError, string>) =
    match result.Case with
    | :? string as path -> path
    | other -> failwithf "expected a saved path, got %A" other

let failed (result: Either<CacheError, string>) =
    match result.Case with
    | :? CacheError as error -> error
    | other -> failwithf "expected an error, got %A" other

let ext (path: string) = Path.GetExtension(path).TrimStart('.')

[<Fact>]
let ``bytes round-trip through a URL download`` () =
    task {
        use home = new TestHome()
        let body = randomBytes 200_000
        use server = new LoopbackServer(Reply.bytes 200 "image/png" body)
        let! result = (newCache home (CapturedLogs())).SaveUrlAsync(server.Url("/img"), "xai_grok", CancellationToken.None)
        let path = saved result
        Assert.Equal<byte[]>(body, File.ReadAllBytes path)
        Assert.Equal(home.CacheDir, Path.GetDirectoryName path)
        Assert.StartsWith("xai_grok_", Path.GetFileName path)
        Assert.Equal("png", ext path)
    }

[<Theory>]
[<InlineData("image/jpeg", "jpg")>]
[<InlineData("image/webp", "webp")>]
[<InlineData("image/gif", "gif")>]
[<InlineData("IMAGE/PNG; charset=binary", "png")>]
let ``content type decides the extension`` (contentType: string, expected: string) =
    task {
        use home = new TestHome()
        use server = new LoopbackServer(Reply.bytes 200 contentType (randomBytes 64))
        let! result = (newCache home (CapturedLogs())).SaveUrlAsync(server.Url("/download"), "p", CancellationToken.None)
        Assert.Equal(expected, ext (saved result))
    }

[<Fact>]
let ``the URL suffix is the fallback, png the default`` () =
    task {
        use home = new TestHome()

        use server =
            new LoopbackServer(Reply.bytes 200 "application/octet-stream" (randomBytes 64))

        let cache = newCache home (CapturedLogs())
        let! bySuffix = cache.SaveUrlAsync(server.Url("/xai-tmp-abc.webp?sig=xyz"), "p", CancellationToken.None)
        let! byDefault = cache.SaveUrlAsync(server.Url("/blob"), "p", CancellationToken.None)
        Assert.Equal("webp", ext (saved bySuffix))
        Assert.Equal("png", ext (saved byDefault))
    }

[<Fact>]
let ``a 404 propagates with its status and leaves nothing`` () =
    task {
        use home = new TestHome()
        use server = new LoopbackServer(Reply.json 404 """{"error":"expired"}""")
        let! result = (newCache home (CapturedLogs())).SaveUrlAsync(server.Url("/xai-tmp-1.png"), "p", CancellationToken.None)
        let error = failed result
        Assert.Equal(CacheFailure.HttpStatus, error.Failure)
        Assert.Equal(Nullable 404, error.Status)
        Assert.Contains("HTTP 404", error.Message)
        Assert.Empty(home.CachedFiles())
    }

[<Fact>]
let ``an empty body is refused and nothing is left`` () =
    task {
        use home = new TestHome()
        use server = new LoopbackServer(Reply.bytes 200 "image/png" [||])
        let! result = (newCache home (CapturedLogs())).SaveUrlAsync(server.Url("/a.png"), "p", CancellationToken.None)
        Assert.Equal(CacheFailure.EmptyBody, (failed result).Failure)
        Assert.Empty(home.CachedFiles())
    }

[<Fact>]
let ``a body past the cap is aborted and the partial file deleted`` () =
    task {
        use home = new TestHome()
        let chunks = List.init 20 (fun i -> randomBytes (1000 + i))
        use server = new LoopbackServer(Reply.chunked "image/png" chunks TimeSpan.Zero)
        let! result = (newCache home (CapturedLogs())).SaveUrlAsync(server.Url("/big.png"), "p", CancellationToken.None, 5_000L)
        let error = failed result
        Assert.Equal(CacheFailure.TooLarge, error.Failure)
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
        let! result = (newCache home (CapturedLogs())).SaveUrlAsync(server.Url("/huge.png"), "p", CancellationToken.None)
        Assert.Equal(CacheFailure.TooLarge, (failed result).Failure)
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

        let! result = (newCache home (CapturedLogs())).SaveUrlAsync(server.Url("/lie.png"), "p", CancellationToken.None, 2_000L)
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

        let! result = (newCache home (CapturedLogs())).SaveUrlAsync(server.Url("/drop.png"), "p", CancellationToken.None)
        let error = failed result
        Assert.Equal(CacheFailure.Network, error.Failure)
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
                HermesContext.CreateHttpClient(),
                TimeProvider.System,
                Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance,
                IdleTimeout = TimeSpan.FromMilliseconds 300.0
            )

        let! result = cache.SaveUrlAsync(server.Url("/slow.png"), "p", CancellationToken.None)
        Assert.Equal(CacheFailure.Timeout, (failed result).Failure)
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
                HermesContext.CreateHttpClient(),
                TimeProvider.System,
                Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance,
                HeadersTimeout = TimeSpan.FromMilliseconds 300.0
            )

        let! result = cache.SaveUrlAsync(server.Url("/slow.png"), "p", CancellationToken.None)
        Assert.Equal(CacheFailure.Timeout, (failed result).Failure)
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
                (newCache home (CapturedLogs())).SaveUrlAsync(server.Url("/slow.png"), "p", cts.Token) :> Task)

        Assert.NotNull error
        Assert.Empty(home.CachedFiles())
    }

[<Fact>]
let ``file names are unique even for 100 parallel saves in the same second`` () =
    task {
        use home = new TestHome()

        let payload (request: RecordedRequest) =
            Text.Encoding.UTF8.GetBytes("image-" + request.Query["i"])

        use server =
            new LoopbackServer(fun request ctx -> Reply.bytes 200 "image/png" (payload request) request ctx)

        let cache = newCache home (CapturedLogs())

        let! results =
            Task.WhenAll
                [
                    for i in 1..100 -> cache.SaveUrlAsync(server.Url(sprintf "/img?i=%d" i), "same", CancellationToken.None)
                ]

        let paths = results |> Array.map saved
        Assert.Equal(100, paths |> Array.distinct |> Array.length)
        Assert.Equal(100, home.CachedFiles().Length)
        let contents = paths |> Array.map (File.ReadAllText) |> Array.sort
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
let ``any byte array round-trips through SaveBase64`` (NonEmptyArray(bytes: byte[])) =
    use home = new TestHome()

    let result =
        (newCache home (CapturedLogs())).SaveBase64Async(Convert.ToBase64String bytes, "p", CancellationToken.None).Result

    File.ReadAllBytes(saved result) = bytes

[<Fact>]
let ``data URLs save with their declared type`` () =
    task {
        use home = new TestHome()

        let! result =
            (newCache home (CapturedLogs()))
                .SaveBase64Async("data:image/jpeg;base64," + Convert.ToBase64String(randomBytes 10), "p", CancellationToken.None)

        Assert.Equal("jpg", ext (saved result))
    }

[<Fact>]
let ``invalid base64 is a typed error and leaves nothing`` () =
    task {
        use home = new TestHome()
        let! result = (newCache home (CapturedLogs())).SaveBase64Async("%%% not base64 %%%", "p", CancellationToken.None)
        Assert.Equal(CacheFailure.InvalidBase64, (failed result).Failure)
        Assert.Empty(home.CachedFiles())
    }

[<Fact>]
let ``cache-or-fallback returns the bare URL after one warning`` () =
    task {
        use home = new TestHome()
        let logs = CapturedLogs()
        use server = new LoopbackServer(Reply.json 404 "{}")
        let url = server.Url("/xai-tmp-gone.png?signature=secret")
        let! result = (newCache home logs).CacheOrFallbackAsync(url, "xai", CancellationToken.None)
        Assert.Equal(url, result)
        let warning = Assert.Single(logs.Warnings)
        Assert.Contains("HTTP 404", warning)
        Assert.DoesNotContain("secret", warning)
    }

[<Fact>]
let ``an unusable URL is refused with the allowed forms`` () =
    task {
        use home = new TestHome()
        let! result = (newCache home (CapturedLogs())).SaveUrlAsync("file:///etc/passwd", "p", CancellationToken.None)
        Assert.Equal(CacheFailure.InvalidUrl, (failed result).Failure)
        Assert.Contains("http(s)", (failed result).Message)
    }
