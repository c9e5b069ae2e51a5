namespace Hermes.Tests.Support

open System
open System.Net
open System.Net.Sockets
open System.Text
open System.Threading
open System.Threading.Tasks

/// A TCP server on 127.0.0.1 that answers every request with exactly the given bytes, then closes:
/// for responses no well-behaved server would send (Content-Length lies).
type RawHttpServer(response: byte[]) =
    let listener = new TcpListener(IPAddress.Loopback, 0)
    let stop = new CancellationTokenSource()
    do listener.Start()

    let serve (client: TcpClient) =
        task {
            use client = client
            use stream = client.GetStream()
            let buffer = Array.zeroCreate<byte> 8192
            let received = StringBuilder()

            while not (received.ToString().Contains "\r\n\r\n") do
                let! n = stream.ReadAsync(buffer, 0, buffer.Length)

                if n = 0 then
                    failwith "client closed early"

                received.Append(Encoding.ASCII.GetString(buffer, 0, n)) |> ignore

            try
                do! stream.WriteAsync(response, 0, response.Length)
                do! stream.FlushAsync()
            with :? IO.IOException ->
                ()
        }

    let loop =
        task {
            try
                while not stop.IsCancellationRequested do
                    let! client = listener.AcceptTcpClientAsync(stop.Token)
                    serve client |> ignore
            with _ ->
                ()
        }

    member _.Url(path: string) =
        sprintf "http://127.0.0.1:%d%s" (listener.LocalEndpoint :?> IPEndPoint).Port path

    static member Response(headers: string list, body: byte[]) =
        let head = String.Join("\r\n", headers) + "\r\n\r\n"
        Array.append (Encoding.ASCII.GetBytes head) body

    interface IDisposable with
        member _.Dispose() =
            stop.Cancel()
            listener.Stop()
            loop.Wait(TimeSpan.FromSeconds 1.0) |> ignore
