/// `hermes batch FILE.jsonl`: every line checked first, then the lines a few at a time, each result appended as it ends.
module Hermes.Cli.Commands.Batch

open System
open System.IO
open System.Text
open System.Text.Encodings.Web
open System.Text.Json
open System.Threading
open System.Threading.Tasks
open Argu
open Hermes.Cli
open Hermes.Cli.Args
open Hermes.Domain
open Hermes
open Hermes.Providers.Core
open Hermes.Providers.Library

/// As many lines at once as the library runs images of one call (HermesClient's 8): a batch never presses a
/// provider harder than one `generate --count 16` already does; 429s are retried by the transport.
let defaultParallel = 8

let maxParallel = 16

/// How one line ended.
[<RequireQualifiedAccess>]
type LineStatus =
    | Done
    | Failed
    | Cancelled

type LineResult =
    {
        Line: int
        Id: string option
        Status: LineStatus
        Images: string list
        /// The error and error_type of a line that did not make every image.
        Problem: (string * string) option
    }

type Summary =
    {
        File: string
        Results: string
        Lines: int
        /// Lines --resume skipped because the results file records them as done.
        Skipped: int
        Finished: LineResult list
    }

let private count status (summary: Summary) =
    summary.Finished |> List.filter (fun r -> r.Status = status) |> List.length

let doneCount = count LineStatus.Done
let failedCount = count LineStatus.Failed
let cancelledCount = count LineStatus.Cancelled

/// 0 when every line was done, 130 after Ctrl-C, 6 when some lines failed.
let exitCode (summary: Summary) =
    if cancelledCount summary > 0 then ExitCode.cancelled
    elif failedCount summary > 0 then ExitCode.partial
    else ExitCode.ok

/// The error and error_type of a summary that is not a full success.
let problem (summary: Summary) : (string * string) option =
    let failed = failedCount summary
    let ran = summary.Finished.Length

    if cancelledCount summary > 0 then
        Some("cancelled", ErrorKind.toWire ErrorKind.Cancelled)
    elif failed > 0 then
        Some($"{failed} of {ran} lines failed; see {summary.Results}", "partial")
    else
        None

let private status =
    function
    | LineStatus.Done -> BatchLines.doneStatus
    | LineStatus.Failed -> "failed"
    | LineStatus.Cancelled -> "cancelled"

/// One results line: compact JSON, the same fields for every status.
let resultLine (r: LineResult) =
    use buffer = new MemoryStream()

    do
        use w =
            new Utf8JsonWriter(buffer, JsonWriterOptions(Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping))

        w.WriteStartObject()
        w.WriteNumber("line", r.Line)

        match r.Id with
        | Some id -> w.WriteString("id", id)
        | None -> w.WriteNull "id"

        w.WriteString("status", status r.Status)
        w.WriteStartArray "images"
        r.Images |> List.iter w.WriteStringValue
        w.WriteEndArray()

        match r.Problem with
        | Some(error, errorType) ->
            w.WriteString("error_type", errorType)
            w.WriteString("error", error)
        | None ->
            w.WriteNull "error_type"
            w.WriteNull "error"

        w.WriteEndObject()

    Encoding.UTF8.GetString(buffer.ToArray())

/// A checked line, ready to run: its request for generate and the client with its timeout.
type private Ready =
    {
        Parsed: BatchRequest
        Request: Generate.Request
        Client: HermesClient
    }

let private request (line: BatchRequest) (output: OutputPath.Target option) (timeout: TimeSpan option) : Generate.Request =
    {
        Prompt = Generate.PromptSource.Text line.Prompt
        Provider = line.Provider
        Model = line.Model
        Aspect = line.Aspect
        Resolution = line.Resolution
        Count = line.Count
        Out = None
        Output = output
        Force = false
        Sources = line.Images
        Mask = line.Mask
        InputFidelity = line.InputFidelity
        Controls = line.Controls
        Timeout = timeout
        Json = true
        DryRun = false
        MaxCost = None
        AllowUnknownCost = false
        Quiet = true
        Preview = false
        Open = false
    }

type private Options =
    {
        File: string
        Parallel: int
        Results: string
        Resume: bool
        MaxCost: decimal option
        AllowUnknownCost: bool
        Quiet: bool
    }

let private options (args: ParseResults<BatchArgs>) : Result<Options, CliError> =
    let file = args.GetResult BatchArgs.File

    let atOnce =
        match args.GetResult(BatchArgs.Parallel, defaultValue = defaultParallel) with
        | n when n >= 1 && n <= maxParallel -> Ok n
        | n -> Error(CliError.Usage $"invalid --parallel '{n}': allowed values are 1 to {maxParallel}")

    let maxCost =
        match args.TryGetResult BatchArgs.Max_Cost with
        | None -> Ok None
        | Some text ->
            Prices.parseUsd "--max-cost" text
            |> Result.map Some
            |> Result.mapError CliError.Usage

    result {
        let! atOnce = atOnce
        let! maxCost = maxCost

        return
            {
                File = file
                Parallel = atOnce
                Results = args.GetResult(BatchArgs.Results, defaultValue = Path.ChangeExtension(file, ".results.jsonl"))
                Resume = args.Contains BatchArgs.Resume
                MaxCost = maxCost
                AllowUnknownCost = args.Contains BatchArgs.Allow_Unknown_Cost
                Quiet = args.Contains BatchArgs.Quiet || args.Contains BatchArgs.Json
            }
    }

let private read (what: string) (path: string) : Result<string, CliError> =
    try
        Ok(File.ReadAllText path)
    with e when (e :? IOException || e :? UnauthorizedAccessException || e :? ArgumentException || e :? NotSupportedException) ->
        Error(CliError.Usage $"cannot read {what} '{path}': {e.Message}")

/// Every line to run checked as generate checks its command line (fields, values, output path, provider, model, cost),
/// all before any request; the error names the first bad line and how many others are bad.
let private check (options: Options) (lines: (int * string) list) : Result<Ready list, CliError> =
    // One client per distinct timeout, so lines share connections.
    let mutable clients: Map<TimeSpan option, HermesClient> = Map.empty

    let clientFor (timeout: TimeSpan option) =
        match clients.TryFind timeout with
        | Some client -> Ok client
        | None ->
            Client.loadWith Client.ConfigUse.Required timeout
            |> Result.map (fun opened ->
                clients <- clients.Add(timeout, opened.Client)
                opened.Client)

    let checkLine (number: int, content: string) : Result<Ready * Generate.Plan, CliError> =
        let onLine (failure: CliError) =
            match failure with
            | CliError.Config _ -> failure
            | CliError.Library e -> CliError.Library(HermesError(e.Kind, $"line {number}: {e.Message}"))
            | other -> CliError.Invalid $"line {number}: {CliError.message other}"

        result {
            let! parsed = BatchLines.parse number content |> Result.mapError CliError.Invalid

            let! output =
                match parsed.Output with
                | Some path -> OutputPath.resolve path parsed.Count false |> Result.map Some
                | None -> Ok None

            let timeout = parsed.Timeout |> Option.map TimeSpan.FromSeconds

            let! client = clientFor timeout
            let req = request parsed output timeout
            let! dispatch = Generate.preflight client req.Provider req.Model
            let! plan = Generate.plan client req parsed.Prompt dispatch

            return
                {
                    Parsed = parsed
                    Request = req
                    Client = client
                },
                plan
        }
        |> Result.mapError onLine

    let checkedLines = lines |> List.map checkLine

    let failures =
        checkedLines
        |> List.choose (function
            | Error e -> Some e
            | Ok _ -> None)

    match failures with
    | first :: rest ->
        let more =
            match rest.Length with
            | 0 -> ""
            | n -> $" (and {n} more invalid lines)"

        match first with
        | CliError.Invalid message -> Error(CliError.Invalid(message + more + "; nothing was sent"))
        | CliError.Library e -> Error(CliError.Library(HermesError(e.Kind, e.Message + more + "; nothing was sent")))
        | other -> Error other
    | [] ->
        let ready = checkedLines |> List.choose Result.toOption

        let outputs =
            ready
            |> List.map (fun (line, _) ->
                match line.Request.Output with
                | Some(OutputPath.Target.Files files) -> line.Parsed.Line, files |> List.map Path.GetFullPath
                | _ -> line.Parsed.Line, [])

        match BatchLines.sharedOutput outputs with
        | Some(first, second, file) ->
            Error(CliError.Invalid $"line {second}: output '{file}' is also written by line {first}; nothing was sent")
        | None ->
            let total = ready |> List.map (snd >> _.Total)

            let estimate =
                total
                |> List.fold
                    (fun sum each ->
                        match sum, each with
                        | Estimate.Usd a, Estimate.Usd b -> Estimate.Usd(a + b)
                        | Estimate.Unknown r, _
                        | _, Estimate.Unknown r -> Estimate.Unknown r)
                    (Estimate.Usd 0m)

            match options.MaxCost with
            | Some limit ->
                Prices.withinLimit limit options.AllowUnknownCost estimate
                |> Result.mapError CliError.Invalid
                |> Result.map (fun () -> ready |> List.map fst)
            | None -> Ok(ready |> List.map fst)

let private lineResult (parsed: BatchRequest) (outcome: Result<Generate.Outcome, CliError>) =
    let finished status images problem =
        {
            Line = parsed.Line
            Id = parsed.Id
            Status = status
            Images = images
            Problem = problem
        }

    match outcome with
    | Ok(Generate.Outcome.Made made) ->
        match Generate.exitCode made with
        | 0 -> finished LineStatus.Done made.Images None
        | code when code = ExitCode.cancelled -> finished LineStatus.Cancelled made.Images (Generate.problem made)
        | _ -> finished LineStatus.Failed made.Images (Generate.problem made)
    | Ok(Generate.Outcome.Planned _) -> finished LineStatus.Failed [] (Some("planned only", "internal"))
    | Error CliError.Cancelled -> finished LineStatus.Cancelled [] (Some("cancelled", ErrorKind.toWire ErrorKind.Cancelled))
    | Error failure -> finished LineStatus.Failed [] (Some(CliError.message failure, CliError.errorType failure))

/// Runs the checked lines, at most `atOnce` at once, appending each result to the results file as it ends.
let private execute (options: Options) (ready: Ready list) (ct: CancellationToken) (progress: IProgress<GenerationProgress>) =
    let gate = new SemaphoreSlim(options.Parallel)
    let writing = obj ()
    let ended = ref 0

    let append (r: LineResult) =
        lock writing (fun () ->
            // A results file that cannot be written never loses the line's images: they are in the summary.
            try
                File.AppendAllText(options.Results, resultLine r + "\n")
            with e when (e :? IOException || e :? UnauthorizedAccessException) ->
                Terminal.warn (
                    $"could not record line {r.Line} in '{options.Results}' ({e.Message}); its images are in the summary"
                )

            ended.Value <- ended.Value + 1

            if not (isNull progress) then
                progress.Report(GenerationProgress("running", $"{ended.Value} of {ready.Length} lines ended")))

    let runLine (line: Ready) =
        task {
            let! entered =
                task {
                    try
                        do! gate.WaitAsync ct
                        return true
                    with :? OperationCanceledException ->
                        return false
                }

            let! outcome =
                if not entered then
                    Task.FromResult(Error CliError.Cancelled)
                else
                    task {
                        try
                            return! Generate.execute line.Client line.Request line.Parsed.Prompt ct
                        finally
                            gate.Release() |> ignore
                    }

            let result = lineResult line.Parsed outcome
            append result
            return result
        }

    task {
        use _ = gate
        let! all = ready |> List.map runLine |> Task.WhenAll
        return List.ofArray all
    }

let run (args: ParseResults<BatchArgs>) (ct: CancellationToken) : Task<Result<Summary, CliError>> =
    let prepared =
        result {
            let! options = options args
            let! content = read "the batch file" options.File

            let! finished =
                if options.Resume && File.Exists options.Results then
                    read "the results file" options.Results |> Result.map BatchLines.finished
                else
                    Ok Set.empty

            let lines = BatchLines.numbered content
            let pending = lines |> List.filter (fun (n, _) -> not (finished.Contains n))
            let! ready = check options pending
            return options, lines.Length, lines.Length - pending.Length, ready
        }

    match prepared with
    | Error failure -> Task.FromResult(Error failure)
    | Ok(options, total, skipped, ready) ->
        task {
            try
                let! finished =
                    Terminal.withProgress (not options.Quiet) $"batch {Path.GetFileName options.File}" 1 (fun progress ->
                        execute options ready ct progress)

                return
                    Ok
                        {
                            File = options.File
                            Results = options.Results
                            Lines = total
                            Skipped = skipped
                            Finished = finished |> List.sortBy _.Line
                        }
            with e when (e :? IOException || e :? UnauthorizedAccessException || e :? ArgumentException || e :? NotSupportedException) ->
                return
                    Error(
                        CliError.Library(
                            HermesError(ErrorKind.Storage, $"cannot append to the results file '{options.Results}': {e.Message}")
                        )
                    )
        }
