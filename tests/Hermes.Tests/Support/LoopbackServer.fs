namespace Hermes.Tests.Support

open System
open System.Collections.Concurrent
open System.IO
open System.Net
open System.Threading
open System.Threading.Tasks
open Microsoft.AspNetCore.Builder
open Microsoft.AspNetCore.Hosting
open Microsoft.AspNetCore.Http
open Microsoft.Extensions.Logging

type RecordedRequest =
    {
        Method: string
        Path: string
        Query: Map<string, string>
        Headers: Map<string, string>
        Body: string
        /// The body as sent, for binary (multipart) requests.
        BodyBytes: byte[]
    }

    member this.Header(name: string) =
        this.Headers |> Map.tryFind (name.ToLowerInvariant())

type Reply = RecordedRequest -> HttpContext -> Task

/// A real HTTP server on 127.0.0.1:<ephemeral> inside the test process; each test scripts its replies.
type LoopbackServer(reply: Reply) =
    let requests = ConcurrentQueue<RecordedRequest>()

    let app =
        let builder = WebApplication.CreateSlimBuilder()
        builder.WebHost.UseKestrel(fun o -> o.Listen(IPAddress.Loopback, 0)) |> ignore
        builder.Logging.ClearProviders() |> ignore
        let app = builder.Build()

        app.Run(fun ctx ->
            task {
                use buffer = new MemoryStream()
                do! ctx.Request.Body.CopyToAsync buffer
                let bytes = buffer.ToArray()
                let body = Text.Encoding.UTF8.GetString bytes

                let recorded =
                    {
                        Method = ctx.Request.Method
                        Path = ctx.Request.Path.Value
                        Query = ctx.Request.Query |> Seq.map (fun kv -> kv.Key, string kv.Value) |> Map.ofSeq
                        Headers =
                            ctx.Request.Headers
                            |> Seq.map (fun kv -> kv.Key.ToLowerInvariant(), string kv.Value)
                            |> Map.ofSeq
                        Body = body
                        BodyBytes = bytes
                    }

                requests.Enqueue recorded
                do! reply recorded ctx
            }
            :> Task)

        app.StartAsync().GetAwaiter().GetResult()
        app

    member _.BaseUrl = app.Urls |> Seq.head |> (fun u -> u.TrimEnd('/'))
    member this.Url(path: string) = this.BaseUrl + path
    member _.Requests = requests |> List.ofSeq

    interface IAsyncDisposable with
        member _.DisposeAsync() = app.DisposeAsync()

    interface IDisposable with
        member _.Dispose() =
            app.DisposeAsync().AsTask().GetAwaiter().GetResult()

/// Scripted responses: statuses, headers, bodies, slow and broken ones.
module Reply =

    let private write (ctx: HttpContext) (bytes: byte[]) =
        ctx.Response.Body.WriteAsync(bytes, 0, bytes.Length)

    let bytes (status: int) (contentType: string) (data: byte[]) : Reply =
        fun _ ctx ->
            task {
                ctx.Response.StatusCode <- status

                if not (isNull contentType) then
                    ctx.Response.ContentType <- contentType

                ctx.Response.ContentLength <- Nullable(int64 data.Length)
                do! write ctx data
            }

    let text (status: int) (contentType: string) (body: string) : Reply =
        bytes status contentType (Text.Encoding.UTF8.GetBytes body)

    let json (status: int) (body: string) : Reply = text status "application/json" body

    /// Chunked body (no Content-Length), each chunk flushed, with a pause between chunks.
    let chunked (contentType: string) (chunks: byte[] list) (pause: TimeSpan) : Reply =
        fun _ ctx ->
            task {
                ctx.Response.StatusCode <- 200

                if not (isNull contentType) then
                    ctx.Response.ContentType <- contentType

                for chunk in chunks do
                    do! write ctx chunk
                    do! ctx.Response.Body.FlushAsync()

                    if pause > TimeSpan.Zero then
                        do! Task.Delay(pause, ctx.RequestAborted)
            }

    /// Announces `announced` bytes, sends `data`, then drops the connection.
    let dropAfter (contentType: string) (announced: int64) (data: byte[]) : Reply =
        fun _ ctx ->
            task {
                ctx.Response.StatusCode <- 200
                ctx.Response.ContentType <- contentType
                ctx.Response.ContentLength <- Nullable announced
                do! write ctx data
                do! ctx.Response.Body.FlushAsync()
                do! Task.Delay 50
                ctx.Abort()
            }

    /// Sends the first bytes, then goes silent until the client gives up.
    let stallAfter (contentType: string) (data: byte[]) : Reply =
        fun _ ctx ->
            task {
                ctx.Response.StatusCode <- 200
                ctx.Response.ContentType <- contentType
                do! write ctx data
                do! ctx.Response.Body.FlushAsync()

                try
                    do! Task.Delay(Timeout.Infinite, ctx.RequestAborted)
                with :? OperationCanceledException ->
                    ()
            }

    /// Waits before answering with `next`.
    let delayed (pause: TimeSpan) (next: Reply) : Reply =
        fun request ctx ->
            task {
                try
                    do! Task.Delay(pause, ctx.RequestAborted)
                    do! next request ctx
                with :? OperationCanceledException ->
                    ()
            }

    /// The n-th call gets the n-th reply; the last one repeats.
    let sequence (replies: Reply list) : Reply =
        let calls = ref 0

        fun request ctx ->
            let n = Interlocked.Increment(&calls.contents) - 1
            (List.item (min n (replies.Length - 1)) replies) request ctx

    /// Routes by method and path; anything else is a 404.
    let routes (table: ((string * string) * Reply) list) : Reply =
        fun request ctx ->
            match
                table
                |> List.tryFind (fun ((m, p), _) -> m = request.Method && p = request.Path)
            with
            | Some(_, reply) -> reply request ctx
            | None -> (json 404 """{"error":{"message":"no such route"}}""") request ctx
