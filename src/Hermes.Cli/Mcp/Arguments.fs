/// A tool call's arguments checked against the tool's input schema before the SDK binds them, so every wrong
/// argument is a tool error with a one-line message that names it (the SDK's own binding error names nothing).
module Hermes.Cli.Mcp.Arguments

open System.Text.Json
open Hermes.Cli
open Hermes.Domain

/// The JSON a parameter accepts.
[<RequireQualifiedAccess>]
type Kind =
    | Text
    | Integer
    | Number
    | Flag
    | TextList
    | Any

type Parameter =
    {
        Name: string
        Kind: Kind
        Required: bool
    }

let private kindOf (property: JsonElement) =
    let types =
        match property.TryGetProperty "type" with
        | true, t when t.ValueKind = JsonValueKind.String -> [ t.GetString() ]
        | true, t when t.ValueKind = JsonValueKind.Array -> [ for e in t.EnumerateArray() -> e.GetString() ]
        | _ -> []

    match types |> List.filter (fun t -> t <> "null") with
    | [ "string" ] -> Kind.Text
    | [ "integer" ] -> Kind.Integer
    | [ "number" ] -> Kind.Number
    | [ "boolean" ] -> Kind.Flag
    | [ "array" ] -> Kind.TextList
    | _ -> Kind.Any

/// The parameters an input schema declares, in its order.
let ofSchema (schema: JsonElement) : Parameter list =
    let required =
        match schema.TryGetProperty "required" with
        | true, r when r.ValueKind = JsonValueKind.Array -> [ for e in r.EnumerateArray() -> e.GetString() ]
        | _ -> []

    match schema.TryGetProperty "properties" with
    | true, properties when properties.ValueKind = JsonValueKind.Object ->
        [
            for p in properties.EnumerateObject() ->
                {
                    Name = p.Name
                    Kind = kindOf p.Value
                    Required = List.contains p.Name required
                }
        ]
    | _ -> []

let private describe =
    function
    | Kind.Text -> "a string"
    | Kind.Integer -> "an integer"
    | Kind.Number -> "a number"
    | Kind.Flag -> "true or false"
    | Kind.TextList -> "an array of strings"
    | Kind.Any -> "any JSON value"

let private fits (kind: Kind) (value: JsonElement) =
    match kind, value.ValueKind with
    | Kind.Any, _ -> true
    | Kind.Text, JsonValueKind.String -> true
    | Kind.Integer, JsonValueKind.Number -> fst (value.TryGetInt32())
    | Kind.Number, JsonValueKind.Number -> true
    | Kind.Flag, (JsonValueKind.True | JsonValueKind.False) -> true
    | Kind.TextList, JsonValueKind.Array ->
        value.EnumerateArray()
        |> Seq.forall (fun e -> e.ValueKind = JsonValueKind.String)
    | _ -> false

/// Ok when every argument is a declared parameter of the right JSON type and every required one is given;
/// a null argument counts as not given. Else the first problem, in one line.
let check (tool: string) (parameters: Parameter list) (arguments: (string * JsonElement) list) : Result<unit, string> =
    let names = parameters |> List.map _.Name

    let given =
        arguments |> List.filter (fun (_, v) -> v.ValueKind <> JsonValueKind.Null)

    let unknown =
        arguments
        |> List.tryFind (fun (name, _) -> not (List.contains name names))
        |> Option.map (fun (name, _) ->
            sprintf
                "unknown argument '%s' for %s: allowed are %s%s"
                (ApiError.oneLine 60 name)
                tool
                (String.concat ", " names)
                (Suggest.hint names name))

    let missing () =
        parameters
        |> List.tryFind (fun p -> p.Required && not (given |> List.exists (fun (n, _) -> n = p.Name)))
        |> Option.map (fun p -> $"missing argument '{p.Name}' for {tool}: give {describe p.Kind}")

    let mistyped () =
        given
        |> List.tryPick (fun (name, value) ->
            parameters
            |> List.tryFind (fun p -> p.Name = name && not (fits p.Kind value))
            |> Option.map (fun p ->
                sprintf
                    "invalid %s %s for %s: allowed values are %s"
                    name
                    (ApiError.oneLine 60 (value.GetRawText()))
                    tool
                    (describe p.Kind)))

    match unknown |> Option.orElseWith missing |> Option.orElseWith mistyped with
    | Some problem -> Error problem
    | None -> Ok()
