namespace Hermes.Domain

open System
open System.Text.Json

/// xAI image models: the static catalog and the live `GET {base}/image-generation-models` list.
module XaiModels =

    let defaultModel = "grok-imagine-image"

    /// The model edits fall back to when the chosen one does not take image input.
    let qualityModel = "grok-imagine-image-quality"

    let staticIds = [ defaultModel; qualityModel; "grok-imagine-image-2.0" ]

    let private text (element: JsonElement) =
        if element.ValueKind = JsonValueKind.String then
            Validation.nonBlank (element.GetString())
        else
            None

    let private property (name: string) (element: JsonElement) =
        match element.ValueKind with
        | JsonValueKind.Object ->
            match element.TryGetProperty name with
            | true, value -> Some value
            | _ -> None
        | _ -> None

    let private strings (element: JsonElement) =
        if element.ValueKind = JsonValueKind.Array then
            element.EnumerateArray() |> Seq.choose text |> List.ofSeq
        else
            []

    /// A live item's id: the item itself when a string, else its `id`, else its `name`.
    let private idOf (item: JsonElement) =
        match text item with
        | Some id -> Some id
        | None ->
            property "id" item
            |> Option.bind text
            |> Option.orElse (property "name" item |> Option.bind text)

    /// The items of the top-level `models` array, else `data`, else the body when it is an array itself.
    let private items (root: JsonElement) =
        let arrayOf (element: JsonElement option) =
            element |> Option.filter (fun e -> e.ValueKind = JsonValueKind.Array)

        let list =
            arrayOf (property "models" root)
            |> Option.orElse (arrayOf (property "data" root))
            |> Option.orElse (arrayOf (Some root))

        match list with
        | Some array -> array.EnumerateArray() |> List.ofSeq
        | None -> []

    /// Runs f over the parsed body; None for anything that is not JSON.
    let private withBody (body: string) (f: JsonElement -> 'T) : 'T option =
        match Validation.nonBlank body with
        | None -> None
        | Some json ->
            try
                use document = JsonDocument.Parse json
                Some(f document.RootElement)
            with
            | :? JsonException
            | :? ArgumentException
            | :? InvalidOperationException -> None

    /// Model ids of the live list, in order, without duplicates; [] on garbage.
    let parseLive (body: string) : string list =
        withBody body (fun root -> items root |> List.choose idOf |> List.distinct)
        |> Option.defaultValue []

    /// Static ids first, then live ids the static list does not know; no duplicates.
    let merge (staticIds: string list) (liveIds: string list) : string list = List.distinct (staticIds @ liveIds)

    /// Whether the live list says the model takes image input (`input_modalities` contains "image"); matched by id, name or alias.
    /// None when the model is not listed or lists no modalities: the caller then falls back to the quality model.
    let acceptsImageInput (body: string) (modelId: string) : bool option =
        match Validation.nonBlank modelId with
        | None -> None
        | Some wanted ->
            let names (item: JsonElement) =
                [ idOf item; property "name" item |> Option.bind text ]
                |> List.choose id
                |> List.append (property "aliases" item |> Option.map strings |> Option.defaultValue [])

            withBody body (fun root ->
                items root
                |> List.tryFind (fun item -> names item |> List.exists (fun n -> n = wanted))
                |> Option.bind (property "input_modalities")
                |> Option.filter (fun m -> m.ValueKind = JsonValueKind.Array)
                |> Option.map (fun m ->
                    strings m
                    |> List.exists (fun s -> s.Equals("image", StringComparison.OrdinalIgnoreCase))))
            |> Option.flatten
