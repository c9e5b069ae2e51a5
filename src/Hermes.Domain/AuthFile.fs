namespace Hermes.Domain

open System.Collections.Generic
open System.Text.Json

/// The JSON type a known part of a credential file must have.
[<RequireQualifiedAccess>]
type JsonShape =
    | Object
    | Array
    | String

/// Why the text of a credential file cannot be used as it is.
[<RequireQualifiedAccess>]
type FileProblem =
    | NotJson of line: int64
    | NotAnObject
    | WrongType of field: string * expected: JsonShape
    | RepeatedName of name: string

/// The shape rules of the JSON credential files Hermes reads, and the permissions of the ones it owns.
module AuthFile =

    /// Owner read/write: auth.json and its lock.
    let fileMode = 0o600

    /// Owner only: $HERMES_HOME.
    let directoryMode = 0o700

    /// Whether a Unix mode grants anything to group or others that `required` does not.
    let isLooser (required: int) (mode: int) = mode &&& 0o077 &&& ~~~required <> 0

    /// The parts of $HERMES_HOME/auth.json Hermes reads and writes; anything else is kept untouched.
    let hermesShape =
        [
            [ "providers" ], JsonShape.Object
            [ "providers"; "xai-oauth" ], JsonShape.Object
            [ "providers"; "xai-oauth"; "tokens" ], JsonShape.Object
            [ "providers"; "xai-oauth"; "discovery" ], JsonShape.Object
            [ "providers"; "openai-codex" ], JsonShape.Object
            [ "providers"; "openai-codex"; "tokens" ], JsonShape.Object
            [ "providers"; "nous" ], JsonShape.Object
            [ "credential_pool" ], JsonShape.Object
            [ "credential_pool"; "xai-oauth" ], JsonShape.Array
            [ "active_provider" ], JsonShape.String
        ]

    /// The part of $CODEX_HOME/auth.json Hermes reads.
    let codexShape = [ [ "tokens" ], JsonShape.Object ]

    let private kindOf =
        function
        | JsonShape.Object -> JsonValueKind.Object
        | JsonShape.Array -> JsonValueKind.Array
        | JsonShape.String -> JsonValueKind.String

    let rec private find (element: JsonElement) (path: string list) =
        match path with
        | [] -> Some element
        | key :: rest ->
            match element.ValueKind with
            | JsonValueKind.Object ->
                match element.TryGetProperty key with
                | true, child when child.ValueKind <> JsonValueKind.Null -> find child rest
                | _ -> None
            | _ -> None

    /// A property name that appears twice in one object: which value counts would be a guess.
    let rec private repeatedName (element: JsonElement) =
        match element.ValueKind with
        | JsonValueKind.Object ->
            let seen = HashSet<string>()

            element.EnumerateObject()
            |> Seq.tryPick (fun p ->
                if seen.Add p.Name then
                    repeatedName p.Value
                else
                    Some p.Name)
        | JsonValueKind.Array -> element.EnumerateArray() |> Seq.tryPick repeatedName
        | _ -> None

    /// The first problem of a file's text against its shape; a part that is absent (or null) is fine.
    let check (shape: (string list * JsonShape) list) (text: string) : Result<unit, FileProblem> =
        try
            use doc = JsonDocument.Parse(if isNull text then "" else text)
            let root = doc.RootElement

            if root.ValueKind <> JsonValueKind.Object then
                Error FileProblem.NotAnObject
            else
                match repeatedName root with
                | Some name -> Error(FileProblem.RepeatedName name)
                | None ->
                    shape
                    |> List.tryPick (fun (path, expected) ->
                        find root path
                        |> Option.filter (fun found -> found.ValueKind <> kindOf expected)
                        |> Option.map (fun _ -> FileProblem.WrongType(String.concat "." path, expected)))
                    |> Option.map Error
                    |> Option.defaultValue (Ok())
        with :? JsonException as e ->
            Error(
                FileProblem.NotJson(
                    if e.LineNumber.HasValue then
                        e.LineNumber.Value + 1L
                    else
                        1L
                )
            )

    let private shapeName =
        function
        | JsonShape.Object -> "a JSON object"
        | JsonShape.Array -> "a JSON array"
        | JsonShape.String -> "a string"

    /// What is wrong, without quoting the file (it holds secrets).
    let describe =
        function
        | FileProblem.NotJson line -> $"is not valid JSON (line {line})"
        | FileProblem.NotAnObject -> "is not a JSON object"
        | FileProblem.WrongType(field, expected) -> $"has \"{field}\" that is not {shapeName expected}"
        | FileProblem.RepeatedName name -> $"names \"{TerminalText.sanitizeWith 40 name}\" twice in one object"
