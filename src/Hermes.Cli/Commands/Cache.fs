/// `hermes cache list|prune`: the image cache as files with their provenance, and pruning it by age and size.
module Hermes.Cli.Commands.Cache

open System
open System.IO
open Argu
open Hermes.Cli
open Hermes.Cli.Args
open Hermes.Domain
open Hermes
open Hermes.Providers.Cache
open Hermes.Providers.Core
open Microsoft.Extensions.Logging

/// One cached image: its file, size (sidecar included), time and, from the sidecar, what made it.
type Entry =
    {
        Path: string
        Bytes: int64
        WrittenUtc: DateTime
        Provenance: Provenance option
    }

type Listing =
    {
        Directory: string
        /// Oldest first.
        Images: Entry list
    }

type Pruned =
    {
        Directory: string
        /// Oldest first.
        Removed: Entry list
        Kept: int
        KeptBytes: int64
    }

let private entry (image: CachedImage) =
    {
        Path = image.Path
        Bytes = image.Bytes
        WrittenUtc = image.WrittenUtc
        Provenance =
            match box image.Provenance with
            | null -> None
            | _ -> Some image.Provenance
    }

/// The cache folder of this process's HERMES_HOME, and the home itself.
let folder () =
    let home = HermesEnvironment.FromProcess().HermesHome
    home, CacheFolder(ImageCache.DirectoryIn home, Terminal.loggerFactory().CreateLogger "cache")

/// A folder Hermes cannot read or change is a storage error naming it.
let guarded (directory: string) (step: unit -> 'T) : Result<'T, CliError> =
    try
        Ok(step ())
    with
    | :? IOException
    | :? UnauthorizedAccessException as e ->
        Error(CliError.Library(HermesError(ErrorKind.Storage, $"cannot read {directory}: {e.Message}")))

/// Every cached image, oldest first.
let images () : Result<string * Entry list, CliError> =
    let _, cache = folder ()
    guarded cache.Directory (fun () -> cache.Directory, cache.List() |> Seq.map entry |> List.ofSeq)

let list (_: ParseResults<CacheListArgs>) : Result<Listing, CliError> =
    images ()
    |> Result.map (fun (directory, all) -> { Directory = directory; Images = all })

let private option (parse: string -> Result<'T, string>) (given: string option) (fallback: 'T option) =
    match given with
    | Some text -> parse text |> Result.map Some |> Result.mapError CliError.Invalid
    | None -> Ok fallback

/// Flags override image_gen.cache.max_age_days and max_total_mb one by one.
let prune (args: ParseResults<CachePruneArgs>) : Result<Pruned, CliError> =
    let home, cache = folder ()
    let configured = CacheFolder.LimitsIn home

    result {
        let! age = option CacheUnits.parseDuration (args.TryGetResult CachePruneArgs.Older_Than) configured.MaxAge
        let! size = option CacheUnits.parseSize (args.TryGetResult CachePruneArgs.Max_Size) configured.MaxBytes

        let! removed =
            guarded cache.Directory (fun () -> cache.Prune(DateTime.UtcNow, { MaxAge = age; MaxBytes = size }, []))

        let! left = guarded cache.Directory (fun () -> cache.List())

        return
            {
                Directory = cache.Directory
                Removed = removed |> Seq.map entry |> List.ofSeq
                Kept = left.Count
                KeptBytes = left |> Seq.sumBy (fun i -> i.Bytes)
            }
    }
