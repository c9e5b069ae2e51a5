/// What the CLI shows on stderr while it works: a spinner when stderr is a terminal, library warnings as lines.
module Hermes.Cli.Terminal

open System
open System.Diagnostics
open System.Threading
open System.Threading.Tasks
open Hermes.Domain
open Hermes
open Hermes.Providers.Core
open Microsoft.Extensions.Logging
open Spectre.Console

/// Runs the work under a spinner with elapsed time on stderr, only when asked and stderr is a terminal.
let withSpinner (show: bool) (label: string) (work: IProgress<GenerationProgress> -> Task<'T>) : Task<'T> =
    if
        not show
        || Console.IsErrorRedirected
        || not (isNull (Environment.GetEnvironmentVariable "NO_SPINNER"))
    then
        work null
    else
        let console =
            AnsiConsole.Create(AnsiConsoleSettings(Out = AnsiConsoleOutput(Console.Error)))

        let stage = ref ""

        let progress =
            { new IProgress<GenerationProgress> with
                member _.Report p =
                    Volatile.Write(&stage.contents, sprintf "%s %s" p.Stage p.Detail)
            }

        console
            .Status()
            .Spinner(Spinner.Known.Dots)
            .StartAsync(
                Markup.Escape label,
                fun ctx ->
                    task {
                        let clock = Stopwatch.StartNew()
                        let running = work progress

                        while not running.IsCompleted do
                            let detail = Volatile.Read(&stage.contents)
                            ctx.Status <- Markup.Escape(sprintf "%s  %.1fs  %s" label clock.Elapsed.TotalSeconds detail)
                            do! Task.WhenAny(running, Task.Delay 100) :> Task

                        return! running
                    }
            )

/// One warning line on stderr; never more than one line.
let warn (message: string) =
    Console.Error.WriteLine("hermes: warning: " + ApiError.oneLine 2000 message)

/// Warnings on stderr as "hermes: warning: ...", nothing below warning level.
type private StderrLogger() =
    interface ILogger with
        member _.BeginScope _ =
            { new IDisposable with
                member _.Dispose() = ()
            }

        member _.IsEnabled level = level >= LogLevel.Warning

        member _.Log(level, _, state, error, formatter) =
            if level >= LogLevel.Warning then
                warn (formatter.Invoke(state, error))

let loggerFactory () =
    let logger = StderrLogger()

    { new ILoggerFactory with
        member _.CreateLogger _ = logger :> ILogger
        member _.AddProvider _ = ()
        member _.Dispose() = ()
    }
