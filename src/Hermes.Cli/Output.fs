/// Printing: one JSON document or plain lines on stdout, one-line errors on stderr, exit codes.
module Hermes.Cli.Output

open System
open System.Text.Json
open System.Text.Json.Nodes
open Hermes.Domain
open Hermes.Providers.Core
open Microsoft.Extensions.Logging

module ExitCode =
    let ok = 0
    let notSet = 1
    let usage = 2
    let notAvailable = 3
    let provider = 4
    let network = 5
    let cancelled = 130

    let ofKind (kind: ErrorKind) =
        match kind with
        | ErrorKind.InvalidArgument
        | ErrorKind.ProviderNotRegistered
        | ErrorKind.Config -> usage
        | ErrorKind.NotAvailable -> notAvailable
        | ErrorKind.Auth
        | ErrorKind.InvalidRequest
        | ErrorKind.RateLimited
        | ErrorKind.ContentPolicy
        | ErrorKind.ProviderError
        | ErrorKind.InvalidResponse
        | ErrorKind.IncompleteImage
        | ErrorKind.NoImage -> provider
        | ErrorKind.Network
        | ErrorKind.Timeout
        | ErrorKind.Cache
        | ErrorKind.Storage -> network

/// Readable JSON: snake_case names, indented, no \u escapes for quotes, backticks or non-ASCII text.
let private options =
    JsonSerializerOptions(
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Encoder = Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping
    )

let printJson (node: JsonNode) =
    Console.Out.WriteLine(node.ToJsonString options)

/// One line on stderr; a message never spans lines.
let printError (message: string) =
    Console.Error.WriteLine("hermes: " + ApiError.oneLine 2000 message)

let errorJson (error: HermesError) =
    JsonObject(
        [
            Collections.Generic.KeyValuePair.Create("success", JsonValue.Create(false) :> JsonNode)
            Collections.Generic.KeyValuePair.Create("error", JsonValue.Create(error.Message) :> JsonNode)
            Collections.Generic.KeyValuePair.Create("error_type", JsonValue.Create(error.ErrorType) :> JsonNode)
        ]
    )

/// Prints an error as JSON (with --json) or one stderr line, and returns its exit code.
let fail (json: bool) (error: HermesError) =
    if json then
        printJson (errorJson error)
    else
        printError error.Message

    ExitCode.ofKind error.Kind

let toNode (value: obj) : JsonNode =
    JsonSerializer.SerializeToNode(value, options)

let strings (values: string seq) =
    JsonArray(values |> Seq.map (fun v -> JsonValue.Create(v) :> JsonNode) |> Array.ofSeq)

/// Columns padded to their widest cell; plain text so redirected output has no escapes.
let table (header: string list) (rows: string list list) =
    let all = header :: rows

    let widths =
        header
        |> List.mapi (fun i _ -> all |> List.map (fun r -> (List.item i r).Length) |> List.max)

    for row in all do
        row
        |> List.mapi (fun i cell ->
            if i = row.Length - 1 then
                cell
            else
                cell.PadRight(List.item i widths))
        |> String.concat "  "
        |> fun line -> Console.Out.WriteLine(line.TrimEnd())

/// Warnings on stderr as "hermes: warning: ...", nothing below warning level.
type StderrLogger() =
    interface ILogger with
        member _.BeginScope _ =
            { new IDisposable with
                member _.Dispose() = ()
            }

        member _.IsEnabled level = level >= LogLevel.Warning

        member _.Log(level, _, state, error, formatter) =
            if level >= LogLevel.Warning then
                Console.Error.WriteLine("hermes: warning: " + ApiError.oneLine 2000 (formatter.Invoke(state, error)))

let loggerFactory () =
    let logger = StderrLogger()

    { new ILoggerFactory with
        member _.CreateLogger _ = logger :> ILogger
        member _.AddProvider _ = ()
        member _.Dispose() = ()
    }
