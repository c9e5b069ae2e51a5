/// `hermes history`: the newest cached images with the provenance their sidecars record.
module Hermes.Cli.Commands.History

open Argu
open Hermes.Cli
open Hermes.Cli.Args
open Hermes.Domain

type Item =
    {
        Path: string
        Provenance: Provenance
    }

let defaultCount = 20

/// The newest N images that have a readable sidecar, newest first.
let run (args: ParseResults<HistoryArgs>) : Result<Item list, CliError> =
    match args.GetResult(HistoryArgs.Count, defaultValue = defaultCount) with
    | n when n < 1 -> Error(CliError.Invalid $"invalid -n '{n}': allowed is a whole number of 1 or more")
    | n ->
        Cache.images ()
        |> Result.map (fun (_, all) ->
            all
            |> List.choose (fun e -> e.Provenance |> Option.map (fun p -> { Path = e.Path; Provenance = p }))
            |> List.sortByDescending (fun i -> i.Provenance.CreatedUtc, i.Path)
            |> List.truncate n)
