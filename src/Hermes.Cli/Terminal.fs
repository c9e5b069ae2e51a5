/// What the CLI shows on stderr while it works: one progress line per image when stderr is a terminal, library warnings as lines.
module Hermes.Cli.Terminal

open System
open System.Threading
open System.Threading.Tasks
open Hermes.Domain
open Hermes
open Hermes.Providers.Core
open Microsoft.Extensions.Logging
open Spectre.Console

/// Whether progress may be drawn: asked for, stderr a terminal, NO_SPINNER unset.
let showsProgress (asked: bool) =
    asked
    && not Console.IsErrorRedirected
    && isNull (Environment.GetEnvironmentVariable "NO_SPINNER")

/// The line of one image: its number, the provider's latest stage (sanitized server text) and the elapsed time.
let private describe (label: string) (image: int) (count: int) (stage: string) =
    let prefix = if count > 1 then $"image {image}/{count}  " else ""
    Markup.Escape $"{prefix}{label}  {TerminalText.sanitizeWith 80 stage}"

/// Runs the work with one progress line per image on stderr (stage, spinner, elapsed), only when showsProgress.
let withProgress (show: bool) (label: string) (count: int) (work: IProgress<GenerationProgress> -> Task<'T>) : Task<'T> =
    if not (showsProgress show) then
        work null
    else
        let console =
            AnsiConsole.Create(AnsiConsoleSettings(Out = AnsiConsoleOutput(Console.Error)))

        let stages = Array.create (max 1 count) "starting"

        let progress =
            { new IProgress<GenerationProgress> with
                member _.Report p =
                    let slot = if p.Image >= 1 && p.Image <= stages.Length then p.Image - 1 else 0
                    Volatile.Write(&stages[slot], $"{p.Stage} {p.Detail}")
            }

        console
            .Progress()
            .AutoClear(true)
            .Columns(SpinnerColumn(Spinner.Known.Dots), TaskDescriptionColumn(Alignment = Justify.Left), ElapsedTimeColumn())
            .StartAsync(fun ctx ->
                task {
                    let lines =
                        [| for i in 1 .. stages.Length -> ctx.AddTask(describe label i count "starting", maxValue = 1.0) |]

                    for line in lines do
                        line.IsIndeterminate <- true

                    let running = work progress

                    while not running.IsCompleted do
                        lines |> Array.iteri (fun i line -> line.Description <- describe label (i + 1) count (Volatile.Read(&stages[i])))
                        do! Task.WhenAny(running, Task.Delay 100) :> Task

                    return! running
                })

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
