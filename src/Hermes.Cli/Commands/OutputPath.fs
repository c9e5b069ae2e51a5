/// `generate -o/--output PATH`: which files it names, checked before any request, and the copies made after.
module Hermes.Cli.Commands.OutputPath

open System
open System.IO
open Hermes.Cli

/// Where --output puts the images: into a folder (under their cache names), or into these files, in order.
[<RequireQualifiedAccess>]
type Target =
    | Folder of path: string
    | Files of paths: string list

/// The files PATH names for count images: PATH itself for one; PATH-1.ext … PATH-N.ext (before its extension) for more.
let files (path: string) (count: int) : string list =
    if count <= 1 then
        [ path ]
    else
        let ext = Path.GetExtension path
        let stem = path.Substring(0, path.Length - ext.Length)
        [ for i in 1..count -> $"{stem}-{i}{ext}" ]

let private endsWithSeparator (path: string) =
    path.EndsWith Path.DirectorySeparatorChar
    || path.EndsWith Path.AltDirectorySeparatorChar

/// The target of --output, or a refusal naming the first file that exists when --force was not given.
let resolve (path: string) (count: int) (force: bool) : Result<Target, CliError> =
    if String.IsNullOrWhiteSpace path then
        Error(CliError.Usage "invalid --output '': allowed values are a file path or a folder")
    elif Directory.Exists path || endsWithSeparator path then
        Ok(Target.Folder path)
    else
        let targets = files path count

        match
            targets
            |> List.filter (fun t -> not force && (File.Exists t || Directory.Exists t))
        with
        | [] -> Ok(Target.Files targets)
        | existing :: _ ->
            Error(CliError.Invalid $"--output '{existing}' already exists: give --force to replace it, or another path")

/// Copies each cached image to its file (replacing only with force); the written paths, or why one could not be written.
let write (targets: string list) (force: bool) (images: string list) : Result<string list, string> =
    let rec copy (written: string list) (pairs: (string * string) list) =
        match pairs with
        | [] -> Ok(List.rev written)
        | (image, target) :: rest when Path.IsPathFullyQualified image && File.Exists image ->
            try
                let full = Path.GetFullPath target
                Directory.CreateDirectory(Path.GetDirectoryName full) |> ignore
                File.Copy(image, full, force)
                copy (full :: written) rest
            with e when (e :? IOException || e :? UnauthorizedAccessException) ->
                Error $"cannot write --output '{target}': {e.Message}"
        // A URL the provider returned without a cached copy stays a URL; only absolute cache paths are ever copied.
        | (image, _) :: rest -> copy (image :: written) rest

    // images beyond the targets (a provider that sent more than asked) stay where the cache has them: never dropped
    copy [] (List.zip (List.truncate targets.Length images) (List.truncate images.Length targets))
    |> Result.map (fun written -> written @ List.skip (min targets.Length images.Length) images)
