/// `hermes generate`: where the prompt comes from, the library call, and the typed result.
module Hermes.Cli.Commands.Generate

open System
open System.IO
open System.Threading
open System.Threading.Tasks
open Argu
open Hermes.Cli
open Hermes.Cli.Args
open Hermes.Domain
open Hermes
open Hermes.Providers.Core
open Hermes.Providers.Library

[<RequireQualifiedAccess>]
type PromptSource =
    | Text of string
    | Stdin
    | File of path: string

type Request =
    {
        Prompt: PromptSource
        Provider: string option
        Model: string option
        Aspect: string option
        Resolution: string option
        Count: int
        Out: string option
        /// -o/--output, resolved before any request.
        Output: OutputPath.Target option
        Force: bool
        Sources: string list
        Mask: string option
        InputFidelity: string option
        /// The per-call output controls as given (a W:H ratio travels in Aspect), validated per provider before any request.
        Controls: OutputRequest
        /// --timeout: the total deadline of each provider call.
        Timeout: TimeSpan option
        Json: bool
        DryRun: bool
        /// --max-cost in US dollars.
        MaxCost: decimal option
        AllowUnknownCost: bool
        /// No progress on stderr (--quiet, --json, a batch line).
        Quiet: bool
        Preview: bool
        Open: bool
    }

/// A value the provider reported besides the image (route, size, quality, revised prompt…).
[<RequireQualifiedAccess>]
type Extra =
    | Text of string
    | Flag of bool
    | Number of float
    /// Token counts by dotted name (a provider's usage).
    | Counts of (string * int64) list

/// One image that was not made.
type ImageFailure = { Error: string; Kind: ErrorKind }

/// Every image made and every failure: both lists may be non-empty (partial success).
type GenerateResult =
    {
        Images: string list
        Failures: ImageFailure list
        Provider: string option
        Model: string option
        Prompt: string
        AspectRatio: string
        Extras: (string * Extra) list
    }

/// What a run would send: the dispatch's provider and model, the values asked for, the request body and the estimate.
type Plan =
    {
        Provider: string
        Model: string
        AspectRatio: string
        Resolution: string option
        Count: int
        /// The images each request asks for: one request with the API's n where the provider has it (split at its max).
        Requests: int list
        Prompt: string
        /// The first request (its n or num_images included), secrets redacted; Error says why this provider has no preview.
        Request: Result<RequestPreview, string>
        /// Of one image and of all of them.
        Each: Estimate
        Total: Estimate
    }

/// A generation that ran, or the plan --dry-run printed instead.
[<RequireQualifiedAccess>]
type Outcome =
    | Made of GenerateResult
    | Planned of Plan

let private isCancelled (f: ImageFailure) = f.Kind = ErrorKind.Cancelled

/// 0 when every image was made, 130 when cancelled, 6 when some were made, else the first failure's code.
let exitCode (result: GenerateResult) =
    match result.Images, result.Failures with
    | _, failures when List.exists isCancelled failures -> ExitCode.cancelled
    | [], [] -> ExitCode.provider
    | _, [] -> ExitCode.ok
    | [], first :: _ -> ExitCode.ofKind first.Kind
    | _ -> ExitCode.partial

/// The error and error_type of a result that is not a full success.
let problem (result: GenerateResult) : (string * string) option =
    match result.Images, result.Failures with
    | _, failures when List.exists isCancelled failures -> Some("cancelled", ErrorKind.toWire ErrorKind.Cancelled)
    | [], [] -> Some("the provider returned no image", ErrorKind.toWire ErrorKind.NoImage)
    | _, [] -> None
    | [], first :: _ -> Some(first.Error, ErrorKind.toWire first.Kind)
    | images, first :: _ ->
        let failed = result.Failures.Length
        Some($"{failed} of {failed + images.Length} images failed: {first.Error}", "partial")

/// The note for a provider that sent more images than asked (all are kept and listed), from the library's extra.
let beyondCount (result: GenerateResult) : string option =
    result.Extras
    |> List.tryPick (fun (key, value) ->
        match value with
        | Extra.Number more when key = HermesClient.BeyondCount && more > 0.0 ->
            let made = result.Images.Length
            Some(ImageCount.beyond made (made - int more))
        | _ -> None)

/// After Ctrl-C, what did not finish was cancelled, whatever error it surfaced as; the images made stay reported.
let cancelled (result: GenerateResult) : GenerateResult =
    { result with
        Failures =
            match result.Failures with
            | [] when not result.Images.IsEmpty -> []
            | [] ->
                [
                    {
                        Error = "cancelled"
                        Kind = ErrorKind.Cancelled
                    }
                ]
            | failures -> failures |> List.map (fun f -> { f with Kind = ErrorKind.Cancelled })
    }

/// The request an Argu parse and the arguments after `--` stand for; exactly one prompt source.
let request (args: ParseResults<GenerateArgs>) (rest: string list) : Result<Request, CliError> =
    let afterDashes =
        match rest with
        | [] -> Ok None
        | [ prompt ] -> Ok(Some(PromptSource.Text prompt))
        | _ :: extra :: _ ->
            Error(CliError.Usage $"unexpected argument '{extra}' after the prompt: quote the prompt as one argument")

    let sources =
        afterDashes
        |> Result.map (fun dashed ->
            [
                args.TryGetResult GenerateArgs.Prompt
                |> Option.map (fun p -> if p = "-" then PromptSource.Stdin else PromptSource.Text p)
                dashed
                args.TryGetResult GenerateArgs.Prompt_File |> Option.map PromptSource.File
            ]
            |> List.choose id)

    match sources with
    | Error e -> Error e
    | Ok [] ->
        Error(
            CliError.Usage
                "missing prompt: give it as an argument, '-' to read it from stdin, or --prompt-file FILE (see `hermes generate --help`)"
        )
    | Ok [ source ] ->
        let count = args.GetResult(GenerateArgs.Count, defaultValue = 1)
        let force = args.Contains GenerateArgs.Force

        let output =
            match args.TryGetResult GenerateArgs.Output, args.TryGetResult GenerateArgs.Out with
            | Some _, Some _ -> Error(CliError.Usage "give one of --output and --out")
            | Some path, None -> OutputPath.resolve path count force |> Result.map Some
            | None, _ -> Ok None

        let timeout =
            match args.TryGetResult GenerateArgs.Timeout with
            | None -> Ok None
            | Some seconds ->
                Client.timeoutSeconds "--timeout" (seconds.ToString(Globalization.CultureInfo.InvariantCulture))
                |> Result.map Some
                |> Result.mapError CliError.Usage

        let maxCost =
            match args.TryGetResult GenerateArgs.Max_Cost with
            | None -> Ok None
            | Some text -> Prices.parseUsd "--max-cost" text |> Result.map Some |> Result.mapError CliError.Usage

        result {
            let! output = output
            let! timeout = timeout
            let! maxCost = maxCost

            return
                {
                    Prompt = source
                    Provider = args.TryGetResult GenerateArgs.Provider
                    Model = args.TryGetResult GenerateArgs.Model
                    Aspect = args.TryGetResult GenerateArgs.Aspect
                    Resolution = args.TryGetResult GenerateArgs.Resolution
                    Count = count
                    Out = args.TryGetResult GenerateArgs.Out
                    Output = output
                    Force = force
                    Sources = args.GetResults GenerateArgs.Image
                    Mask = args.TryGetResult GenerateArgs.Mask
                    InputFidelity = args.TryGetResult GenerateArgs.Input_Fidelity
                    Controls =
                        {
                            Size = args.TryGetResult GenerateArgs.Size
                            Ratio = None
                            Quality = args.TryGetResult GenerateArgs.Quality
                            Format = args.TryGetResult GenerateArgs.Format
                            Compression = args.TryGetResult GenerateArgs.Compression
                            Background = args.TryGetResult GenerateArgs.Background
                            Moderation = args.TryGetResult GenerateArgs.Moderation
                            Seed = args.TryGetResult GenerateArgs.Seed
                        }
                    Timeout = timeout
                    Json = args.Contains GenerateArgs.Json
                    DryRun = args.Contains GenerateArgs.Dry_Run
                    MaxCost = maxCost
                    AllowUnknownCost = args.Contains GenerateArgs.Allow_Unknown_Cost
                    Quiet = args.Contains GenerateArgs.Quiet || args.Contains GenerateArgs.Json
                    Preview = args.Contains GenerateArgs.Preview
                    Open = args.Contains GenerateArgs.Open
                }
        }
    | Ok _ -> Error(CliError.Usage "the prompt is given twice: give one of an argument, '-' (stdin) or --prompt-file FILE")

let private readPrompt (source: PromptSource) : Result<string, CliError> =
    match source with
    | PromptSource.Text text -> Ok text
    | PromptSource.Stdin -> Ok(Console.In.ReadToEnd())
    | PromptSource.File path ->
        try
            Ok(File.ReadAllText path)
        with e when (e :? IOException || e :? UnauthorizedAccessException) ->
            Error(CliError.Usage $"cannot read --prompt-file '{path}': {e.Message}")

/// Did-you-mean for a provider or model the dispatch refused.
let hint (error: DispatchError) =
    match error with
    | DispatchError.ProviderNotRegistered(name, registered) -> Suggest.hint registered name
    | DispatchError.UnknownModel(_, bad) -> Suggest.hint bad.Allowed bad.Value
    | DispatchError.NotAvailable _
    | DispatchError.NoBackend -> ""

/// The base-URL overrides each provider reads; a malformed one is refused before anything is sent.
let private baseUrlVariables =
    [
        "xai", [ "XAI_BASE_URL" ]
        "openai", [ "OPENAI_BASE_URL" ]
        "openai-codex", [ "HERMES_CODEX_BASE_URL" ]
        "fal", [ "FAL_QUEUE_BASE_URL"; "FAL_QUEUE_GATEWAY_URL" ]
        "gemini", [ "GEMINI_BASE_URL" ]
    ]

/// An overridden base URL must be an absolute http(s) URL.
let checkBaseUrl (variable: string) (value: string) : Result<unit, CliError> =
    match Uri.TryCreate(value.Trim(), UriKind.Absolute) with
    | true, uri when uri.Scheme = Uri.UriSchemeHttps || uri.Scheme = Uri.UriSchemeHttp -> Ok()
    | _ -> Error(CliError.Invalid $"invalid {variable} '{value}': allowed values are an absolute http(s) URL")

let private extra (value: obj) =
    match value with
    | :? string as s -> Extra.Text s
    | :? bool as b -> Extra.Flag b
    | :? int as n -> Extra.Number(float n)
    | :? int64 as n -> Extra.Number(float n)
    | :? float as n -> Extra.Number n
    | :? Collections.Generic.IDictionary<string, int64> as counts ->
        Extra.Counts(counts |> Seq.map (fun kv -> kv.Key, kv.Value) |> List.ofSeq)
    | other -> Extra.Text(string other)

/// The library's result as the typed result both renderers and `hermes mcp` read.
let ofLibrary (result: HermesResult) : GenerateResult =
    {
        Images = List.ofSeq result.Images
        Failures =
            result.Failures
            |> Seq.map (fun error ->
                {
                    Error = error.Message
                    Kind = error.Kind
                })
            |> List.ofSeq
        Provider = Option.ofObj result.Provider
        Model = Option.ofObj result.Model
        Prompt = result.Prompt
        AspectRatio = result.AspectRatio
        Extras = result.Extras |> Seq.map (fun kv -> kv.Key, extra kv.Value) |> List.ofSeq
    }

/// The plan for this provider and model, or why generate refuses it before anything is sent: the dispatch's
/// refusal with did-you-mean, or a malformed base-URL override.
let preflight (client: HermesClient) (provider: string option) (model: string option) : Result<DispatchPlan, CliError> =
    let plan = client.Plan(Option.toObj provider, Option.toObj model)

    let refused =
        match plan.Outcome.Decision with
        | Decision.Error error -> Some(CliError.Library(HermesError(Dispatch.errorKind error, Dispatch.errorMessage error + hint error)))
        | decision ->
            let provider =
                Dispatch.providerOf decision |> Option.map fst |> Option.defaultValue ""

            baseUrlVariables
            |> List.filter (fun (p, _) -> p = provider)
            |> List.collect snd
            |> List.choose (fun variable ->
                match client.Context.Environment.Variables.TryGetValue variable with
                | true, value when value.Trim() <> "" ->
                    match checkBaseUrl variable value with
                    | Error e -> Some e
                    | Ok() -> None
                | _ -> None)
            |> List.tryHead

    match refused with
    | Some failure -> Error failure
    | None -> Ok plan

/// The folder the library copies the images into: --out, or --output naming a folder.
let private outputDirectory (request: Request) =
    match request.Output with
    | Some(OutputPath.Target.Folder folder) -> Some folder
    | _ -> request.Out

/// The images copied to the files --output names (the cached copies stay); a copy that fails is a storage failure.
let private written (request: Request) (result: GenerateResult) =
    match request.Output with
    | Some(OutputPath.Target.Files targets) when not result.Images.IsEmpty ->
        match OutputPath.write targets request.Force result.Images with
        | Ok paths -> { result with Images = paths }
        | Error message ->
            { result with
                Failures =
                    result.Failures
                    @ [
                        {
                            Error = message
                            Kind = ErrorKind.Storage
                        }
                    ]
            }
    | _ -> result

/// The output controls the dispatched provider puts on the wire for this model, or the one-line error naming the value and
/// what is allowed (OutputControls.forProvider; an endpoint takes OpenAI's); what generate and the MCP tool both check.
let controlsFor (client: HermesClient) (provider: string) (model: string) (isEdit: bool) (asked: OutputRequest) =
    let controlsAs =
        client.Registry.Find provider
        |> Option.ofObj
        |> Option.map _.OutputControlsAs
        |> Option.defaultValue provider

    OutputControls.forProvider controlsAs model isEdit asked
    |> Result.mapError CliError.Invalid

/// The plan of a request the dispatch accepted: its aspect, resolution and edit limits checked, the body built, the cost estimated;
/// refused (exit 2, nothing sent) when the estimate is above --max-cost or unknown without --allow-unknown-cost.
let plan (client: HermesClient) (request: Request) (prompt: string) (dispatch: DispatchPlan) : Result<Plan, CliError> =
    let invalid (bad: BadValue) = CliError.Invalid bad.Message

    // as the library reads it: a named aspect or W:H, else the aspect of an exact --size
    let aspect =
        match request.Aspect with
        | Some text -> OutputControls.parseAspect text |> Result.mapError CliError.Invalid
        | None -> Ok(request.Controls.Size |> Option.map OutputControls.aspectOfSize |> Option.defaultValue AspectRatio.defaultValue, None)

    let resolution =
        match request.Resolution with
        | None -> Ok None
        | Some text -> Resolution.parse text |> Result.map Some |> Result.mapError invalid

    let provider, model =
        Dispatch.providerOf dispatch.Outcome.Decision |> Option.defaultValue ("", "")

    result {
        let! aspect, ratio = aspect
        let! resolution = resolution
        let isEdit = not request.Sources.IsEmpty

        let registered = client.Registry.Find provider |> Option.ofObj

        let! controls = controlsFor client provider model isEdit { request.Controls with Ratio = ratio }

        do!
            EditCapability.checkSupport
                (match registered with
                 | Some found -> Option.ofObj (found.EditSupportFor model)
                 | None -> EditCapability.forModel provider model)
                provider
                model
                request.Sources.Length
                request.Mask.IsSome
            |> Result.mapError CliError.Invalid

        let each = Prices.perImage provider model aspect isEdit
        // the estimate counts every image, however many requests carry them
        let total = Prices.total request.Count each

        let requests =
            let support =
                match registered with
                | Some found -> found.CountFor(model, isEdit)
                | None -> ImageCount.forProvider provider model isEdit

            ImageCount.requests support request.Count

        do!
            match request.MaxCost with
            | Some limit -> Prices.withinLimit limit request.AllowUnknownCost total |> Result.mapError CliError.Invalid
            | None -> Ok()

        let text = prompt.Trim()

        let preview =
            RequestPlan.preview
                {
                    Provider = provider
                    Model = model
                    Prompt = text
                    Aspect = aspect
                    Resolution = resolution
                    SourceCount = request.Sources.Length
                    HasMask = request.Mask.IsSome
                    InputFidelity = request.InputFidelity
                    Controls = ImageCount.withImages (List.tryHead requests |> Option.defaultValue 1) controls
                }
            |> Result.map (fun p ->
                { p with
                    Body = Text.Json.Nodes.JsonNode.Parse(client.Context.Secrets.Redact(p.Body.ToJsonString()))
                })

        return
            {
                Provider = provider
                Model = model
                AspectRatio = AspectRatio.toWire aspect
                Resolution = resolution |> Option.map Resolution.toWire
                Count = request.Count
                Requests = requests
                Prompt = client.Context.Secrets.Redact text
                Request = preview
                Each = each
                Total = total
            }
    }

/// The one place generate calls the library: the plan (refused with did-you-mean before anything is sent), then the
/// images with one progress line each, then --preview and --open.
let execute (client: HermesClient) (request: Request) (prompt: string) (ct: CancellationToken) : Task<Result<Outcome, CliError>> =
    match preflight client request.Provider request.Model |> Result.bind (plan client request prompt) with
    | Error failure -> Task.FromResult(Error failure)
    | Ok planned when request.DryRun -> Task.FromResult(Ok(Outcome.Planned planned))
    | Ok planned ->
        let label = $"{planned.Provider} · {planned.Model}"

        task {
            let! result =
                Terminal.withProgress (not request.Quiet) label request.Count (fun progress ->
                    client.GenerateAsync(
                        prompt,
                        HermesGenerateOptions(
                            Provider = Option.toObj request.Provider,
                            Model = Option.toObj request.Model,
                            AspectRatio = Option.toObj request.Aspect,
                            Resolution = Option.toObj request.Resolution,
                            Count = request.Count,
                            OutputDirectory = Option.toObj (outputDirectory request),
                            Sources = Array.ofList request.Sources,
                            Mask = Option.toObj request.Mask,
                            InputFidelity = Option.toObj request.InputFidelity,
                            Size = Option.toObj request.Controls.Size,
                            Quality = Option.toObj request.Controls.Quality,
                            OutputFormat = Option.toObj request.Controls.Format,
                            Compression = Option.toNullable request.Controls.Compression,
                            Background = Option.toObj request.Controls.Background,
                            Moderation = Option.toObj request.Controls.Moderation,
                            Seed = Option.toNullable request.Controls.Seed,
                            Progress = progress
                        ),
                        ct
                    ))

            let made = written request (ofLibrary result)

            if request.Preview then
                ImageViewer.preview made.Images

            if request.Open then
                ImageViewer.openAll made.Images

            return Ok(Outcome.Made made)
        }

let run (args: ParseResults<GenerateArgs>) (rest: string list) (ct: CancellationToken) : Task<Result<Outcome, CliError>> =
    let ready =
        result {
            let! req = request args rest
            let! prompt = readPrompt req.Prompt
            let! opened = Client.loadWith Client.ConfigUse.Required req.Timeout
            return req, prompt, opened
        }

    match ready with
    | Error failure -> Task.FromResult(Error failure)
    | Ok(req, prompt, opened) -> execute opened.Client req prompt ct
