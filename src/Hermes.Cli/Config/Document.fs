/// $HERMES_HOME/config.yaml as dotted keys: read it, change one key, write it back keeping every other key.
module Hermes.Cli.Config.Document

open System
open System.IO
open Hermes.Providers.Storage
open YamlDotNet.Core
open YamlDotNet.RepresentationModel

let pathIn (home: string) = Path.Combine(home, "config.yaml")

let private isIo (e: exn) =
    e :? IOException || e :? UnauthorizedAccessException

/// The top-level mapping (empty when there is no file), or a message that names the file and what is wrong.
let load (path: string) : Result<YamlMappingNode, string> =
    if not (File.Exists path) then
        Ok(YamlMappingNode())
    else
        try
            let stream = YamlStream()

            do
                use reader = new StreamReader(path)
                stream.Load reader

            if stream.Documents.Count = 0 then
                Ok(YamlMappingNode())
            else
                match stream.Documents[0].RootNode with
                | :? YamlMappingNode as mapping -> Ok mapping
                | :? YamlScalarNode as scalar when String.IsNullOrEmpty scalar.Value -> Ok(YamlMappingNode())
                | _ -> Error $"{path}: the top level must be a mapping of keys"
        with
        | :? YamlException as e -> Error $"{path}: invalid YAML at line {e.Start.Line}: {e.Message}"
        | e when isIo e -> Error $"{path}: cannot read: {e.Message}"

let private child (node: YamlMappingNode) (name: string) =
    match node.Children.TryGetValue(YamlScalarNode name) with
    | true, value -> Some value
    | _ -> None

let private text (node: YamlNode) =
    match node with
    | :? YamlScalarNode as scalar -> Some(if isNull scalar.Value then "" else scalar.Value)
    | :? YamlSequenceNode as items ->
        items.Children
        |> Seq.map (fun item ->
            match item with
            | :? YamlScalarNode as s -> s.Value
            | other -> string other)
        |> String.concat ", "
        |> sprintf "[%s]"
        |> Some
    | _ -> None

/// Every value in the file as (dotted key, text), in file order; lists read as "[a, b]".
let entries (root: YamlMappingNode) : (string * string) list =
    let rec walk (prefix: string) (node: YamlMappingNode) =
        [
            for pair in node.Children do
                let name =
                    match pair.Key with
                    | :? YamlScalarNode as k -> k.Value
                    | other -> string other

                let key = if prefix = "" then name else prefix + "." + name

                match pair.Value with
                | :? YamlMappingNode as section -> yield! walk key section
                | value ->
                    match text value with
                    | Some t -> key, t
                    | None -> ()
        ]

    walk "" root

/// The value at a key, None when it is absent or a section.
let tryGet (root: YamlMappingNode) (parts: string list) : string option =
    let rec walk (node: YamlMappingNode) parts =
        match parts with
        | [] -> None
        | [ last ] -> child node last |> Option.bind text
        | part :: rest ->
            match child node part with
            | Some(:? YamlMappingNode as section) -> walk section rest
            | _ -> None

    walk root parts

/// A scalar, or a list written as a YAML sequence.
[<RequireQualifiedAccess>]
type Value =
    | Scalar of string
    | List of string list

let private node (value: Value) : YamlNode =
    match value with
    | Value.Scalar s -> YamlScalarNode s
    | Value.List items -> YamlSequenceNode(items |> Seq.map (fun i -> YamlScalarNode i :> YamlNode))

/// Sets a key, creating sections as needed; refuses to replace a section or to nest under a value.
let set (root: YamlMappingNode) (parts: string list) (value: Value) : Result<unit, string> =
    let key = String.concat "." parts

    let rec walk (node': YamlMappingNode) parts =
        match parts with
        | [] -> Error "cannot set an empty key"
        | [ last ] ->
            match child node' last with
            | Some(:? YamlMappingNode as section) when section.Children.Count > 0 ->
                Error $"cannot set '{key}': it is a section of {section.Children.Count} keys; unset them first"
            | _ ->
                node'.Children[YamlScalarNode last] <- node value
                Ok()
        | part :: rest ->
            match child node' part with
            | Some(:? YamlMappingNode as section) -> walk section rest
            | None ->
                let section = YamlMappingNode()
                node'.Children[YamlScalarNode part] <- section
                walk section rest
            | Some _ -> Error $"cannot set '{key}': '{part}' already holds a value, not a section"

    walk root parts

/// Removes a key and the sections it leaves empty; false when it was not set.
let unset (root: YamlMappingNode) (parts: string list) : Result<bool, string> =
    let key = String.concat "." parts

    let rec walk (node': YamlMappingNode) parts =
        match parts with
        | [] -> Ok false
        | [ last ] ->
            match child node' last with
            | None -> Ok false
            | Some(:? YamlMappingNode as section) when section.Children.Count > 0 ->
                Error $"cannot unset '{key}': it is a section of {section.Children.Count} keys; unset them one by one"
            | Some _ -> Ok(node'.Children.Remove(YamlScalarNode last))
        | part :: rest ->
            match child node' part with
            | Some(:? YamlMappingNode as section) ->
                walk section rest
                |> Result.map (fun removed ->
                    if removed && section.Children.Count = 0 then
                        node'.Children.Remove(YamlScalarNode part) |> ignore

                    removed)
            | _ -> Ok false

    walk root parts

/// The endpoint names under image_gen.endpoints.
let endpoints (root: YamlMappingNode) : string list =
    match child root "image_gen" with
    | Some(:? YamlMappingNode as imageGen) ->
        match child imageGen "endpoints" with
        | Some(:? YamlMappingNode as all) ->
            [
                for pair in all.Children do
                    match pair.Key with
                    | :? YamlScalarNode as name -> name.Value
                    | _ -> ()
            ]
        | _ -> []
    | _ -> []

/// Writes the document atomically: readers see the old file or the new one.
let save (path: string) (root: YamlMappingNode) : Result<unit, string> =
    use writer = new StringWriter()
    YamlStream(YamlDocument root).Save(writer, assignAnchors = false)
    let yaml = writer.ToString()

    let yaml =
        if yaml.EndsWith("...\n", StringComparison.Ordinal) then
            yaml.Substring(0, yaml.Length - 4)
        else
            yaml

    let written = AtomicFile.Write(path, Text.Encoding.UTF8.GetBytes yaml, Nullable())

    if written.IsRight then
        Ok()
    else
        Error(written.Match((fun _ -> ""), (fun (problem: Hermes.Providers.Storage.StorageError) -> problem.Message)))

/// Moves an unreadable file aside (config.yaml.corrupt-<UTC time>) so `--force` never destroys it; the new name.
let setAside (path: string) (now: DateTimeOffset) : Result<string, string> =
    let aside =
        sprintf "%s.corrupt-%s" path (now.UtcDateTime.ToString "yyyyMMddTHHmmssZ")

    try
        File.Move(path, aside)
        Ok aside
    with e when isIo e ->
        Error $"cannot move {path} aside: {e.Message}"
