module Hermes.Cli.Program

open System
open System.Threading
open System.Threading.Tasks
open Argu
open Hermes.Cli.Args
open Hermes.Cli.Commands
open Hermes.Providers.Core

let private noRest (scanned: CommandLine.Scanned) (run: unit -> Task<Result<Reply, CliError>>) =
    if scanned.Rest.IsEmpty then
        run ()
    else
        Task.FromResult(Error(CliError.Usage "only `hermes generate` takes an argument after `--`"))

let private map (toReply: 'T -> Reply) (result: Result<'T, CliError>) =
    Task.FromResult(Result.map toReply result)

let private mapAsync (toReply: 'T -> Reply) (pending: Task<Result<'T, CliError>>) =
    task {
        let! result = pending
        return Result.map toReply result
    }

let private missing (grammar: CommandLine.Grammar) =
    Error(
        CliError.Usage(
            sprintf
                "missing command for `%s`: give one of %s (see `%s --help`)"
                grammar.Name
                (grammar.Commands |> List.map fst |> String.concat ", ")
                grammar.Name
        )
    )

/// Parses, then runs the chosen command; every outcome is a Reply or a CliError, rendered once by main.
let private run (argv: string list) (ct: CancellationToken) : Result<Reply, CliError> =
    let parser =
        ArgumentParser.Create<HermesArgs>(programName = "hermes", checkStructure = false)

    let grammar = CommandLine.ofParser "hermes" parser

    let sub path =
        path
        |> List.fold (fun (g: CommandLine.Grammar) n -> g.Commands |> List.find (fun (c, _) -> c = n) |> snd) grammar

    match CommandLine.scan grammar argv with
    | Error message -> Error(CliError.Usage message)
    | Ok scanned ->
        let top = parser.ParseCommandLine(Array.ofList scanned.Tokens, raiseOnUsage = true)

        let pending =
            match top.TryGetSubCommand() with
            | Some(Generate args) ->
                Generate.run args scanned.Rest ct
                |> mapAsync (function
                    | Generate.Outcome.Made made -> Reply.Generated made
                    | Generate.Outcome.Planned plan -> Reply.Planned plan)
            | Some(Batch args) -> noRest scanned (fun () -> Batch.run args ct |> mapAsync Reply.Batched)
            | Some(Providers args) -> noRest scanned (fun () -> Providers.run args |> map Reply.Providers)
            | Some(Models args) -> noRest scanned (fun () -> Models.run args ct |> mapAsync Reply.Models)
            | Some(Config args) ->
                noRest scanned (fun () ->
                    match args.TryGetSubCommand() with
                    | Some(ConfigArgs.List list) -> Config.list list |> map Reply.ConfigListed
                    | Some(ConfigArgs.Get get) -> Config.get get |> map Reply.ConfigValue
                    | Some(ConfigArgs.Set set) -> Config.set set |> map Reply.ConfigWritten
                    | Some(ConfigArgs.Unset unset) -> Config.unset unset |> map Reply.ConfigRemoved
                    | None -> Task.FromResult(missing (sub [ "config" ])))
            | Some(Auth args) ->
                noRest scanned (fun () ->
                    match args.TryGetSubCommand() with
                    | Some(AuthArgs.Add add) -> Auth.add add ct |> mapAsync Reply.SignedIn
                    | Some(AuthArgs.List list) -> Auth.list list |> map Reply.Accounts
                    | Some(AuthArgs.Remove remove) -> Auth.removeEntry remove ct |> mapAsync Reply.SignedOut
                    | None -> Task.FromResult(missing (sub [ "auth" ])))
            | Some(Mcp args) -> noRest scanned (fun () -> Mcp.run args ct |> mapAsync (fun () -> Reply.Served))
            | Some(Cache args) ->
                noRest scanned (fun () ->
                    match args.TryGetSubCommand() with
                    | Some(CacheArgs.List list) -> Cache.list list |> map Reply.CacheListed
                    | Some(CacheArgs.Prune prune) -> Cache.prune prune |> map Reply.CachePruned
                    | None -> Task.FromResult(missing (sub [ "cache" ])))
            | Some(History args) -> noRest scanned (fun () -> History.run args |> map Reply.History)
            | Some Version -> Task.FromResult(Ok(Reply.Version HermesVersion.Version))
            | None -> Task.FromResult(missing grammar)

        pending.GetAwaiter().GetResult()

/// Runs, turning what escapes (help, Argu's own errors, cancellation, a bug) into the same two outcomes.
let private outcome (argv: string list) (cancel: CancellationTokenSource) =
    let result =
        try
            run argv cancel.Token
        with
        | :? ArguParseException as e when e.ErrorCode = ErrorCode.HelpText -> Ok(Reply.Help e.Message)
        | :? ArguParseException as e ->
            let first = e.Message.Split('\n') |> Array.find (fun l -> l.Trim() <> "")
            Error(CliError.Usage(first.Trim().Replace("ERROR: ", "") + " (see `hermes --help`)"))
        | :? OperationCanceledException -> Error CliError.Cancelled
        | e ->
            if Environment.GetEnvironmentVariable "HERMES_DEBUG" = "1" then
                Console.Error.WriteLine(e.ToString())

            Error(CliError.Internal("internal error: " + e.Message))

    // An error that surfaced after Ctrl-C is the cancellation itself.
    match result with
    | Error _ when cancel.IsCancellationRequested -> Error CliError.Cancelled
    | Ok(Reply.Generated generated) when cancel.IsCancellationRequested -> Ok(Reply.Generated(Generate.cancelled generated))
    | other -> other

[<EntryPoint>]
let main argv =
    // Answered before Argu builds its parser, which is most of the start-up cost.
    if argv = [| "--version" |] then
        Console.Out.WriteLine("hermes " + HermesVersion.Version)
        ExitCode.ok
    else
        use cancel = new CancellationTokenSource()

        // The first Ctrl-C cancels the work; a second one ends the process at once.
        Console.CancelKeyPress.Add(fun e ->
            e.Cancel <- not cancel.IsCancellationRequested
            cancel.Cancel())

        let args = List.ofArray argv
        let json = CommandLine.wantsJson args

        match outcome args cancel with
        | Ok reply ->
            if json then
                Render.Json.reply reply
            else
                Render.Text.reply reply

            Reply.exitCode reply
        | Error failure ->
            if json then
                Render.Json.failure failure
            else
                Render.Text.failure failure

            CliError.exitCode failure
