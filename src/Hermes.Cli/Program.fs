module Hermes.Cli.Program

open System
open System.Threading
open Argu
open Hermes.Cli.Args
open Hermes.Cli.Output
open Hermes.Providers.Core

let private run (argv: string[]) (ct: CancellationToken) =
    let parser =
        ArgumentParser.Create<HermesArgs>(programName = "hermes", checkStructure = false)

    match parser.ParseCommandLine(argv, raiseOnUsage = true) with
    | top when top.Contains Version ->
        Console.Out.WriteLine("hermes " + HermesVersion.Version)
        ExitCode.ok
    | top ->
        let pending =
            match top.TryGetSubCommand() with
            | Some(Generate args) -> Commands.generate args ct
            | Some(Providers args) -> Commands.providers args
            | Some(Models args) -> Commands.models args
            | Some(Config args) -> Commands.config args
            | Some(Auth args) ->
                match args.GetSubCommand() with
                | AuthArgs.Add add -> Commands.authAdd add ct
                | AuthArgs.List list -> Commands.authList list
                | AuthArgs.Remove remove -> Commands.authRemove remove ct
            | Some Version
            | None ->
                Console.Error.WriteLine(parser.PrintUsage())
                Threading.Tasks.Task.FromResult ExitCode.usage

        pending.GetAwaiter().GetResult()

[<EntryPoint>]
let main argv =
    use cancel = new CancellationTokenSource()

    Console.CancelKeyPress.Add(fun e ->
        e.Cancel <- true
        cancel.Cancel())

    let debug = Environment.GetEnvironmentVariable "HERMES_DEBUG" = "1"

    try
        // Answered before Argu builds its parser, which is most of the start-up cost.
        if argv = [| "--version" |] then
            Console.Out.WriteLine("hermes " + HermesVersion.Version)
            ExitCode.ok
        else
            run argv cancel.Token
    with
    | :? ArguParseException as e when e.ErrorCode = ErrorCode.HelpText ->
        Console.Out.WriteLine e.Message
        ExitCode.ok
    | :? ArguParseException as e ->
        let first = e.Message.Split('\n') |> Array.find (fun l -> l.Trim() <> "")
        printError (first.Trim().Replace("ERROR: ", "") + " (see `hermes --help`)")
        ExitCode.usage
    | :? OperationCanceledException ->
        printError "cancelled"
        ExitCode.cancelled
    | e ->
        if debug then
            Console.Error.WriteLine(e.ToString())
        else
            printError ("internal error: " + e.Message)

        1
