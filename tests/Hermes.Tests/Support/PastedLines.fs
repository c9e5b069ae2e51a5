namespace Hermes.Tests.Support

open System.IO
open System.Threading
open System.Threading.Channels
open System.Threading.Tasks

/// Stands in for stdin in a headless sign-in: the test pastes lines when it likes, and can close the input.
type PastedLines() =
    inherit TextReader()
    let lines = Channel.CreateUnbounded<string>()

    member _.Paste(line: string) = lines.Writer.TryWrite line |> ignore
    member _.EndOfInput() = lines.Writer.TryComplete() |> ignore

    override _.ReadLineAsync(ct: CancellationToken) : ValueTask<string> =
        ValueTask<string>(
            task {
                let! more = lines.Reader.WaitToReadAsync(ct)

                match more, lines.Reader.TryRead() with
                | true, (true, line) -> return line
                | _ -> return null
            }
        )
