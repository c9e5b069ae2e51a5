/// Hostile loopback fakes for the trust.md tests: internal services that must never be reached, bodies too large to
/// hold, redirects that go nowhere, and a clock that records the waits it is asked for instead of sleeping.
module Hermes.Tests.Trust.HostileFakes

open System
open System.Collections.Concurrent
open System.Net
open System.Net.Sockets
open System.Text
open System.Text.Json
open System.Threading
open System.Threading.Tasks
open Microsoft.AspNetCore.Http
open Hermes.Tests.Support
open Xunit

/// An internal service on a loopback address (127.0.0.2, ::1, another port of 127.0.0.1): it counts every TCP connection
/// and answers any request with a real PNG, so a download that wrongly reaches it would succeed and the test would see it.
type Sentinel(address: IPAddress) =
    let listener = new TcpListener(address, 0)
    let stop = new CancellationTokenSource()
    let mutable connections = 0
    do listener.Start()

    let image = Fakes.png 64

    let answer =
        Array.append
            (Encoding.ASCII.GetBytes(
                sprintf "HTTP/1.1 200 OK\r\nContent-Type: image/png\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" image.Length
            ))
            image

    let serve (client: TcpClient) =
        task {
            use client = client
            use stream = client.GetStream()
            let buffer = Array.zeroCreate<byte> 8192

            try
                let! _ = stream.ReadAsync(buffer, 0, buffer.Length)
                do! stream.WriteAsync(answer, 0, answer.Length)
            with _ ->
                ()
        }

    let loop =
        task {
            try
                while not stop.IsCancellationRequested do
                    let! client = listener.AcceptTcpClientAsync(stop.Token)
                    Interlocked.Increment(&connections) |> ignore
                    serve client |> ignore
            with _ ->
                ()
        }

    member _.Port = (listener.LocalEndpoint :?> IPEndPoint).Port

    /// TCP connections accepted so far: a refused address is refused before the socket connects.
    member _.Connections = Volatile.Read(&connections)

    /// http://<host>:<this port><path>, the host spelled as the test wants (an IPv6 host in brackets).
    member this.Url(host: string, path: string) =
        sprintf "http://%s:%d%s" host this.Port path

    interface IDisposable with
        member _.Dispose() =
            stop.Cancel()
            listener.Stop()
            loop.Wait(TimeSpan.FromSeconds 1.0) |> ignore

/// A TimeProvider whose timers fire at once and remember how long they were asked to wait: retry delays without sleeping.
type InstantDelays() =
    inherit TimeProvider()
    let waits = ConcurrentQueue<TimeSpan>()

    let instant (due: TimeSpan) =
        if due = Timeout.InfiniteTimeSpan then
            due
        else
            if due > TimeSpan.Zero then
                waits.Enqueue due

            TimeSpan.Zero

    /// Every positive wait asked for, in order.
    member _.Waits = List.ofSeq waits

    override _.CreateTimer(callback, state, dueTime, period) =
        let inner =
            TimeProvider.System.CreateTimer(callback, state, instant dueTime, period)

        { new ITimer with
            member _.Change(due, every) = inner.Change(instant due, every)
            member _.Dispose() = inner.Dispose()
            member _.DisposeAsync() = inner.DisposeAsync()
        }

/// A port on 127.0.0.1 that nothing listens on: connecting to it fails before any request is sent.
let closedPort () =
    let listener = new TcpListener(IPAddress.Loopback, 0)
    listener.Start()
    let port = (listener.LocalEndpoint :?> IPEndPoint).Port
    listener.Stop()
    port

/// An images answer with this URL, JSON-escaped whatever it contains.
let urlAnswer (url: string) =
    sprintf """{"created":1,"data":[{"url":%s}]}""" (JsonSerializer.Serialize url)

/// An error body in the OpenAI shape.
let errorBody (code: string) (message: string) =
    sprintf """{"error":{"code":%s,"message":%s}}""" (JsonSerializer.Serialize code) (JsonSerializer.Serialize message)

/// Replies no honest server sends.
module Hostile =

    let private ignoreAbort (work: Task) : Task =
        task {
            try
                do! work
            with _ ->
                ()
        }

    /// `total` bytes starting with `head`, in 1 MiB chunks; announced in Content-Length or chunked; stops when the client hangs up.
    let stream (contentType: string) (head: byte[]) (total: int64) (announce: bool) : Reply =
        fun _ ctx ->
            ignoreAbort (
                task {
                    ctx.Response.StatusCode <- 200
                    ctx.Response.ContentType <- contentType

                    if announce then
                        ctx.Response.ContentLength <- Nullable total

                    let filler = Array.create (1024 * 1024) (byte 'A')
                    do! ctx.Response.Body.WriteAsync(head, 0, head.Length, ctx.RequestAborted)
                    let mutable sent = int64 head.Length

                    while sent < total && not ctx.RequestAborted.IsCancellationRequested do
                        let count = int (min (int64 filler.Length) (total - sent))
                        do! ctx.Response.Body.WriteAsync(filler, 0, count, ctx.RequestAborted)
                        sent <- sent + int64 count
                }
            )

    /// A JSON images answer whose b64_json holds `chars` base64 characters, streamed (chunked unless announced).
    let hugeB64Answer (chars: int64) (announce: bool) : Reply =
        let head =
            Encoding.ASCII.GetBytes """{"created":1,"data":[{"b64_json":"iVBORw0KGgo"""

        let tail = Encoding.ASCII.GetBytes "\"}]}"
        let total = int64 head.Length + chars + int64 tail.Length

        fun _ ctx ->
            ignoreAbort (
                task {
                    ctx.Response.StatusCode <- 200
                    ctx.Response.ContentType <- "application/json"

                    if announce then
                        ctx.Response.ContentLength <- Nullable total

                    let filler = Array.create (1024 * 1024) (byte 'A')
                    do! ctx.Response.Body.WriteAsync(head, 0, head.Length, ctx.RequestAborted)
                    let mutable sent = 0L

                    while sent < chars && not ctx.RequestAborted.IsCancellationRequested do
                        let count = int (min (int64 filler.Length) (chars - sent))
                        do! ctx.Response.Body.WriteAsync(filler, 0, count, ctx.RequestAborted)
                        sent <- sent + int64 count

                    do! ctx.Response.Body.WriteAsync(tail, 0, tail.Length, ctx.RequestAborted)
                }
            )

    /// A redirect with this status and Location (none when None).
    let redirect (status: int) (location: string option) : Reply =
        fun _ ctx ->
            ctx.Response.StatusCode <- status

            match location with
            | Some target -> ctx.Response.Headers.Location <- target
            | None -> ()

            Task.CompletedTask

    /// An SSE stream of comment keep-alives only, one every `every`, for at most `lasting`.
    let keepAlives (every: TimeSpan) (lasting: TimeSpan) : Reply =
        fun _ ctx ->
            ignoreAbort (
                task {
                    ctx.Response.StatusCode <- 200
                    ctx.Response.ContentType <- "text/event-stream"
                    let line = Encoding.UTF8.GetBytes ": keep-alive\n\n"
                    let until = DateTime.UtcNow + lasting

                    while DateTime.UtcNow < until && not ctx.RequestAborted.IsCancellationRequested do
                        do! ctx.Response.Body.WriteAsync(line, 0, line.Length, ctx.RequestAborted)
                        do! ctx.Response.Body.FlushAsync(ctx.RequestAborted)
                        do! Task.Delay(every, ctx.RequestAborted)
                }
            )

    /// A status with extra headers and a JSON body.
    let jsonWith (status: int) (headers: (string * string) list) (body: string) : Reply =
        fun request ctx ->
            for name, value in headers do
                ctx.Response.Headers[name] <- value

            Reply.json status body request ctx

/// `head` then zeros up to `total` bytes, gzip-compressed: a few hundred KB on the wire.
let gzipBomb (head: byte[]) (total: int) =
    use compressed = new IO.MemoryStream()

    do
        use gzip =
            new IO.Compression.GZipStream(compressed, IO.Compression.CompressionLevel.Optimal, true)

        gzip.Write(head, 0, head.Length)
        let zeros = Array.zeroCreate<byte> (1024 * 1024)

        for _ in 1 .. (total - head.Length) / zeros.Length do
            gzip.Write(zeros, 0, zeros.Length)

    compressed.ToArray()

/// These bytes sent as they are with Content-Encoding: gzip.
let gzipped (contentType: string) (compressed: byte[]) : Reply =
    fun request ctx ->
        ctx.Response.Headers.ContentEncoding <- "gzip"
        Reply.bytes 200 contentType compressed request ctx

/// Requests of this method that reached the fake.
let requestsOf (server: LoopbackServer) (httpMethod: string) =
    server.Requests |> List.filter (fun r -> r.Method = httpMethod)

/// Nothing a terminal would act on: no C0 (tab included), no DEL, no C1, so no escape sequence at all.
let assertPrintable (text: string) =
    let bad =
        text
        |> Seq.filter (fun c -> c < ' ' || c = '\u007F' || (c >= '\u0080' && c <= '\u009F'))
        |> Seq.map (fun c -> sprintf "U+%04X" (int c))
        |> List.ofSeq

    Assert.True(bad.IsEmpty, sprintf "control characters %A in %s" bad text)

/// The secret is shown at most as its six-character prefix: no seven characters of it appear anywhere.
let assertOnlyPrefixOf (secret: string) (text: string) =
    let seven = secret.Substring(0, 7)
    Assert.False(text.Contains(seven, StringComparison.Ordinal), sprintf "'%s' shows '%s'" text seven)
