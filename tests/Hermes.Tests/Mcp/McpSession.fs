/// The built `hermes mcp` as a child process, driven by the SDK's own client over stdio, with its own HERMES_HOME
/// and only the environment a test gives it.
module Hermes.Tests.Mcp.McpSession

open System
open System.Collections.Concurrent
open System.Collections.Generic
open System.Text.Json
open System.Threading
open System.Threading.Tasks
open ModelContextProtocol
open ModelContextProtocol.Client
open ModelContextProtocol.Protocol
open Xunit
open Hermes.Tests.Cli
open Hermes.Tests.Support

/// A connected client and what the server wrote on stderr.
type Session(client: McpClient, stderr: ConcurrentQueue<string>) =
    member _.Client = client
    member _.Stderr = stderr |> List.ofSeq

    /// Calls a tool with these arguments (JSON values); progress when given, cancellation with `ct`.
    member _.Call(tool: string, arguments: (string * obj) list, ?progress: IProgress<ProgressNotificationValue>, ?ct: CancellationToken) =
        client.CallToolAsync(tool, readOnlyDict arguments, Option.toObj progress, null, defaultArg ct CancellationToken.None).AsTask()

    /// Closes the client, which ends the server process.
    interface IDisposable with
        member _.Dispose() =
            client.DisposeAsync().AsTask().GetAwaiter().GetResult()

/// Starts `hermes mcp` (with `args`) and completes the initialize handshake.
let connect (home: TestHome) (env: (string * string) list) (args: string list) : Task<Session> =
    task {
        let stderr = ConcurrentQueue<string>()
        let variables = Dictionary<string, string | null>()

        for k, v in
            [
                "PATH", Environment.GetEnvironmentVariable "PATH"
                "HOME", home.Path
                "HERMES_HOME", home.Path
                "DOTNET_NOLOGO", "1"
                "DOTNET_CLI_TELEMETRY_OPTOUT", "1"
            ]
            @ env do
            variables[k] <- v

        let program, arguments = HermesProcess.command ("mcp" :: args)

        let options =
            StdioClientTransportOptions(
                Name = "hermes",
                Command = program,
                Arguments = List<string>(arguments),
                InheritEnvironmentVariables = false,
                EnvironmentVariables = variables,
                StandardErrorLines = Action<string>(stderr.Enqueue)
            )

        let! client = McpClient.CreateAsync(StdioClientTransport options)
        return new Session(client, stderr)
    }

let texts (result: CallToolResult) =
    result.Content
    |> Seq.choose (fun c ->
        match c with
        | :? TextContentBlock as t -> Some t.Text
        | _ -> None)
    |> List.ofSeq

let links (result: CallToolResult) =
    result.Content
    |> Seq.choose (fun c ->
        match c with
        | :? ResourceLinkBlock as l -> Some l
        | _ -> None)
    |> List.ofSeq

let inlineImages (result: CallToolResult) =
    result.Content
    |> Seq.choose (fun c ->
        match c with
        | :? ImageContentBlock as i -> Some i
        | _ -> None)
    |> List.ofSeq

/// The one text of a tool error.
let expectToolError (result: CallToolResult) =
    Assert.True(result.IsError.GetValueOrDefault(), sprintf "expected a tool error, got %A" (texts result))
    let text = Assert.Single(texts result)
    Assert.DoesNotContain("\n", text)
    text

let expectSuccess (result: CallToolResult) =
    Assert.False(result.IsError.GetValueOrDefault(), sprintf "tool error: %A" (texts result))

/// The JSON text of a list tool's result.
let document (result: CallToolResult) =
    expectSuccess result
    JsonDocument.Parse(Assert.Single(texts result)).RootElement.Clone()

/// Waits until the condition holds (up to 15 s): for what arrives after a call returns.
let eventually (what: string) (condition: unit -> bool) =
    task {
        let deadline = DateTime.UtcNow.AddSeconds 15.0

        while not (condition ()) && DateTime.UtcNow < deadline do
            do! Task.Delay 50

        Assert.True(condition (), what)
    }
