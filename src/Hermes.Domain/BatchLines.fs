namespace Hermes.Domain

open System
open System.Text.Json
open System.Text.Json.Nodes

/// One request of a `hermes batch` file: `prompt` plus the options `hermes generate` takes, checked.
type BatchRequest =
    {
        /// The 1-based line number in the file.
        Line: int
        Id: string option
        Prompt: string
        Provider: string option
        Model: string option
        Aspect: string option
        Resolution: string option
        Count: int
        Images: string list
        Mask: string option
        InputFidelity: string option
        Output: string option
        /// Seconds each provider call of this line may take in total.
        Timeout: float option
        /// The output controls as `hermes generate` takes them; checked per provider with the line's plan.
        Controls: OutputRequest
    }

/// Composes the checks of one line; the first error wins.
type private LineCheck() =
    member _.Bind(checkedValue: Result<'T, string>, rest: 'T -> Result<'U, string>) = Result.bind rest checkedValue
    member _.Return(value: 'T) : Result<'T, string> = Ok value

/// The rules of a batch file and of its results file: every line checked before anything is sent.
module BatchLines =

    /// The fields a line may carry; any other is an error of that line.
    let fields =
        [
            "id"
            "prompt"
            "provider"
            "model"
            "aspect"
            "resolution"
            "count"
            "image"
            "mask"
            "input_fidelity"
            "output"
            "timeout"
            "size"
            "quality"
            "format"
            "compression"
            "background"
            "moderation"
            "seed"
        ]

    let maxCount = 16

    /// The longest a line's timeout may be: a day, as --timeout.
    let maxTimeoutSeconds = 86400.0

    let private kindOf (node: JsonNode) =
        match node with
        | null -> JsonValueKind.Null
        | :? JsonValue as v -> v.GetValueKind()
        | :? JsonArray -> JsonValueKind.Array
        | _ -> JsonValueKind.Object

    let private text (o: JsonObject) (name: string) : Result<string option, string> =
        match o[name] with
        | null -> Ok None
        | node when kindOf node = JsonValueKind.String -> Ok(Validation.nonBlank (node.GetValue<string>()))
        | _ -> Error $"'{name}' must be a string"

    let private checkedWith (parse: string -> Result<'T, BadValue>) (value: string option) : Result<string option, string> =
        match value with
        | None -> Ok None
        | Some v -> parse v |> Result.map (fun _ -> Some v) |> Result.mapError _.Message

    let private count (o: JsonObject) =
        match o["count"] with
        | null -> Ok 1
        | node when kindOf node = JsonValueKind.Number ->
            match (node :?> JsonValue).TryGetValue<int>() with
            | true, n when n >= 1 && n <= maxCount -> Ok n
            | _ -> Error $"invalid count '{node.ToJsonString()}': allowed values are 1 to {maxCount}"
        | node -> Error $"invalid count '{node.ToJsonString()}': allowed values are 1 to {maxCount}"

    let private timeout (o: JsonObject) =
        match o["timeout"] with
        | null -> Ok None
        | node when kindOf node = JsonValueKind.Number ->
            match (node :?> JsonValue).TryGetValue<float>() with
            | true, s when s > 0.0 && s <= maxTimeoutSeconds -> Ok(Some s)
            | _ ->
                Error(
                    $"invalid timeout '{node.ToJsonString()}': allowed values are a number of seconds above 0 and at most %g{maxTimeoutSeconds}"
                )
        | node ->
            Error(
                $"invalid timeout '{node.ToJsonString()}': allowed values are a number of seconds above 0 and at most %g{maxTimeoutSeconds}"
            )

    /// A whole number, when the field is there.
    let private whole (o: JsonObject) (name: string) : Result<int option, string> =
        match o[name] with
        | null -> Ok None
        | node when kindOf node = JsonValueKind.Number ->
            match (node :?> JsonValue).TryGetValue<int>() with
            | true, n -> Ok(Some n)
            | _ -> Error $"invalid {name} '{node.ToJsonString()}': allowed values are whole numbers"
        | node -> Error $"invalid {name} '{TerminalText.sanitizeWith 60 (node.ToJsonString())}': allowed values are whole numbers"

    /// A file path or URL field: a string without control characters (JSON allows a NUL; no path has one).
    let private path (o: JsonObject) (name: string) : Result<string option, string> =
        text o name
        |> Result.bind (function
            | Some p when p |> Seq.exists Char.IsControl -> Error $"'{name}' must be a path without control characters"
            | other -> Ok other)

    /// `image` as one string or a list of strings.
    let private images (o: JsonObject) =
        let bad () =
            Error "'image' must be a string or a list of strings"

        let withoutControls (sources: string list) =
            if sources |> List.exists (Seq.exists Char.IsControl) then
                Error "'image' must be paths or URLs without control characters"
            else
                Ok sources

        let given =
            match o["image"] with
            | null -> Ok []
            | node when kindOf node = JsonValueKind.String -> Ok(Option.toList (Validation.nonBlank (node.GetValue<string>())))
            | :? JsonArray as items ->
                if items |> Seq.forall (fun i -> kindOf i = JsonValueKind.String) then
                    Ok(
                        items
                        |> Seq.choose (fun i -> Validation.nonBlank (i.GetValue<string>()))
                        |> List.ofSeq
                    )
                else
                    bad ()
            | _ -> bad ()

        Result.bind withoutControls given

    /// The id as given: a string, or a number kept as its JSON text.
    let private id (o: JsonObject) =
        match o["id"] with
        | null -> Ok None
        | node when kindOf node = JsonValueKind.String -> Ok(Some(node.GetValue<string>()))
        | node when kindOf node = JsonValueKind.Number -> Ok(Some(node.ToJsonString()))
        | _ -> Error "'id' must be a string or a number"

    /// One line of the file: a JSON object with a prompt, only known fields, each value allowed. The error names the
    /// first problem; the caller prefixes the line number.
    let parse (line: int) (content: string) : Result<BatchRequest, string> =
        let parsed =
            try
                match JsonNode.Parse content with
                // Count reads every property: a repeated name throws here, not later outside this try.
                | :? JsonObject as o when o.Count >= 0 -> Ok o
                | _ -> Error "not a JSON object"
            with
            | :? JsonException as e -> Error("not JSON: " + TerminalText.sanitizeWith 120 e.Message)
            | :? ArgumentException -> Error "not a JSON object with one value per field: a field is repeated"

        let known (o: JsonObject) =
            match o |> Seq.map _.Key |> Seq.tryFind (fun k -> not (List.contains k fields)) with
            | Some unknown ->
                Error(
                    sprintf "unknown field '%s': allowed fields are %s" (TerminalText.sanitizeWith 60 unknown) (String.concat ", " fields)
                )
            | None -> Ok o

        let line' = LineCheck()

        let fields (o: JsonObject) =
            line' {
                let! prompt =
                    text o "prompt"
                    |> Result.bind (function
                        | Some p -> Ok p
                        | None -> Error "missing prompt: give \"prompt\": \"what the image shows\"")

                let! identity = id o
                let! provider = text o "provider"
                let! model = text o "model"
                let! aspect = text o "aspect" |> Result.bind (checkedWith AspectRatio.parse)
                let! resolution = text o "resolution" |> Result.bind (checkedWith Resolution.parse)
                let! count = count o
                let! images = images o
                let! mask = path o "mask"
                let! fidelity = text o "input_fidelity" |> Result.bind (checkedWith EditRequests.inputFidelity)
                let! output = path o "output"
                let! timeout = timeout o
                let! size = text o "size"
                let! quality = text o "quality"
                let! format = text o "format"
                let! compression = whole o "compression"
                let! background = text o "background"
                let! moderation = text o "moderation"
                let! seed = whole o "seed"

                return
                    {
                        Line = line
                        Id = identity
                        Prompt = prompt
                        Provider = provider
                        Model = model
                        Aspect = aspect
                        Resolution = resolution
                        Count = count
                        Images = images
                        Mask = mask
                        InputFidelity = fidelity
                        Output = output
                        Timeout = timeout
                        Controls =
                            {
                                Size = size
                                Ratio = None
                                Quality = quality
                                Format = format
                                Compression = compression
                                Background = background
                                Moderation = moderation
                                Seed = seed
                            }
                    }
            }

        let editOnly (request: BatchRequest) =
            if request.Mask.IsSome && request.Images.IsEmpty then
                Error "'mask' needs an 'image' to edit"
            elif request.InputFidelity.IsSome && request.Images.IsEmpty then
                Error "'input_fidelity' applies to edits only: give an 'image'"
            else
                Ok request

        parsed |> Result.bind known |> Result.bind fields |> Result.bind editOnly

    /// Every non-blank line of a file with its 1-based number; blank lines are skipped, numbering counts them.
    let numbered (content: string) : (int * string) list =
        content.Split '\n'
        |> Array.mapi (fun i l -> i + 1, l.TrimEnd '\r')
        |> Array.filter (fun (_, l) -> l.Trim() <> "")
        |> List.ofArray

    /// The status a results line records for a line that made every image it asked for.
    let doneStatus = "done"

    /// The line numbers a results file records as done; lines that do not parse (a write cut short) are ignored.
    let finished (results: string) : Set<int> =
        numbered results
        |> List.choose (fun (_, l) ->
            try
                match JsonNode.Parse l with
                | :? JsonObject as o when o.Count >= 0 ->
                    match o["line"], o["status"] with
                    | null, _
                    | _, null -> None
                    | line, status when kindOf line = JsonValueKind.Number && kindOf status = JsonValueKind.String ->
                        match (line :?> JsonValue).TryGetValue<int>() with
                        | true, n when status.GetValue<string>() = doneStatus -> Some n
                        | _ -> None
                    | _ -> None
                | _ -> None
            with
            | :? JsonException
            | :? ArgumentException -> None)
        |> Set.ofList

    /// The first file two lines would both write: (earlier line, later line, file); paths compared as given, full paths.
    let sharedOutput (outputs: (int * string list) list) : (int * int * string) option =
        outputs
        |> List.collect (fun (line, files) -> files |> List.map (fun f -> f, line))
        |> List.groupBy fst
        |> List.tryPick (fun (file, owners) ->
            match owners |> List.map snd |> List.distinct |> List.sort with
            | first :: second :: _ -> Some(first, second, file)
            | _ -> None)
