namespace Hermes.Domain

open System.Text.Json

/// Headers the ChatGPT/Codex backend requires, built in one place.
module CodexHeaders =

    /// Cloudflare in front of chatgpt.com/backend-api/codex admits first-party originators only.
    let originator = "codex_cli_rs"

    let userAgent (hermesVersion: string) =
        $"codex_cli_rs/0.0.0 (Hermes {hermesVersion})"

    /// The stored account id, else the `chatgpt_account_id` claim of the access token.
    let accountId (accessToken: string) (stored: string option) =
        stored
        |> Option.bind Validation.nonBlank
        |> Option.orElse (Jwt.tryString [ "https://api.openai.com/auth"; "chatgpt_account_id" ] accessToken)

    let build (accessToken: string) (account: string option) (hermesVersion: string) =
        [
            "Authorization", "Bearer " + accessToken
            "Accept", "text/event-stream"
            "originator", originator
            "User-Agent", userAgent hermesVersion
        ]
        @ (account
           |> Option.map (fun id -> [ "ChatGPT-Account-ID", id ])
           |> Option.defaultValue [])

[<RequireQualifiedAccess>]
type CodexStreamError =
    | Failed of message: string
    | Malformed of detail: string
    /// The stream ended with no image at all.
    | Empty
    /// Only a progressive partial frame arrived: never saved as the deliverable.
    | PartialOnly

/// The final image of a Codex stream and the image model the response reports.
type CodexImage =
    {
        Base64: string
        ReportedModel: string option
    }

/// Server-sent events of a Codex Responses stream, folded line by line.
type CodexStream =
    {
        EventName: string option
        Data: string list
        Final: string option
        Partial: string option
        Partials: int
        ReportedModel: string option
        Completed: bool
        Failure: string option
        Malformed: string option
    }

module CodexStream =

    let initial =
        {
            EventName = None
            Data = []
            Final = None
            Partial = None
            Partials = 0
            ReportedModel = None
            Completed = false
            Failure = None
            Malformed = None
        }

    let private stringProperty (name: string) (element: JsonElement) =
        match element.TryGetProperty name with
        | true, value when value.ValueKind = JsonValueKind.String -> Validation.nonBlank (value.GetString())
        | _ -> None

    /// The last value found anywhere in the event for which `pick` answers, depth first.
    let rec private findLast (pick: JsonElement -> string option) (element: JsonElement) : string option =
        match element.ValueKind with
        | JsonValueKind.Object ->
            let inner =
                element.EnumerateObject()
                |> Seq.choose (fun p -> findLast pick p.Value)
                |> Seq.tryLast

            inner |> Option.orElse (pick element)
        | JsonValueKind.Array -> element.EnumerateArray() |> Seq.choose (findLast pick) |> Seq.tryLast
        | _ -> None

    let private finalOf (element: JsonElement) =
        match stringProperty "type" element with
        | Some "image_generation_call" -> stringProperty "result" element
        | _ -> None

    let private partialOf (element: JsonElement) = stringProperty "partial_image_b64" element

    let private reportedModelOf (root: JsonElement) =
        match root.TryGetProperty "response" with
        | true, response when response.ValueKind = JsonValueKind.Object ->
            match response.TryGetProperty "tools" with
            | true, tools when tools.ValueKind = JsonValueKind.Array ->
                tools.EnumerateArray()
                |> Seq.filter (fun t -> t.ValueKind = JsonValueKind.Object)
                |> Seq.tryFind (fun t -> stringProperty "type" t = Some "image_generation")
                |> Option.bind (stringProperty "model")
            | _ -> None
        | _ -> None

    let private text (path: string list) (element: JsonElement) =
        let rec go (e: JsonElement) (rest: string list) =
            match rest with
            | [] ->
                if e.ValueKind = JsonValueKind.String then
                    Validation.nonBlank (e.GetString())
                else
                    None
            | (name: string) :: tail when e.ValueKind = JsonValueKind.Object ->
                match e.TryGetProperty(name) with
                | true, child -> go child tail
                | _ -> None
            | _ -> None

        go element path

    let private apply (state: CodexStream) (eventName: string option) (data: string) =
        if data = "" || data = "[DONE]" then
            state
        else
            try
                use doc = JsonDocument.Parse data
                let root = doc.RootElement

                let kind = text [ "type" ] root |> Option.orElse eventName |> Option.defaultValue ""

                let state =
                    { state with
                        Final = findLast finalOf root |> Option.orElse state.Final
                        Partial = findLast partialOf root |> Option.orElse state.Partial
                        ReportedModel = reportedModelOf root |> Option.orElse state.ReportedModel
                    }

                match kind with
                | "response.image_generation_call.partial_image" ->
                    { state with
                        Partials = state.Partials + 1
                    }
                | "response.completed" -> { state with Completed = true }
                | "response.failed"
                | "response.incomplete" ->
                    { state with
                        Failure =
                            text [ "response"; "error"; "message" ] root
                            |> Option.orElse (text [ "response"; "incomplete_details"; "reason" ] root)
                            |> Option.orElse (Some kind)
                    }
                | "error" ->
                    { state with
                        Failure =
                            text [ "message" ] root
                            |> Option.orElse (text [ "error"; "message" ] root)
                            |> Option.orElse (Some "error event")
                    }
                | _ -> state
            with :? JsonException ->
                { state with
                    Malformed = Some(ApiError.oneLine 80 data)
                }

    let private flush (state: CodexStream) =
        match state.Data with
        | [] -> { state with EventName = None }
        | lines ->
            apply
                { state with
                    EventName = None
                    Data = []
                }
                state.EventName
                ((lines |> List.rev |> String.concat "\n").Trim())

    /// One line of the stream (without its newline).
    let feed (state: CodexStream) (line: string) =
        if line = "" then
            flush state
        elif line.StartsWith ":" then
            state
        elif line.StartsWith "event:" then
            { state with
                EventName = Some(line.Substring(6).Trim())
            }
        elif line.StartsWith "data:" then
            { state with
                Data = line.Substring(5).TrimStart() :: state.Data
            }
        else
            state

    /// The final image once the stream has ended; a final that arrived whole is kept even if the stream was cut after it.
    let finish (state: CodexStream) : Result<CodexImage, CodexStreamError> =
        let state = flush state

        match state.Failure, state.Malformed, state.Final, state.Partial with
        | Some message, _, _, _ -> Error(CodexStreamError.Failed message)
        | None, Some detail, _, _ -> Error(CodexStreamError.Malformed detail)
        | None, None, Some image, _ ->
            Ok
                {
                    Base64 = image
                    ReportedModel = state.ReportedModel
                }
        | None, None, None, Some _ -> Error CodexStreamError.PartialOnly
        | None, None, None, None -> Error CodexStreamError.Empty

    /// Whether another attempt may bring the final image: only when the stream carried none.
    let worthRetrying =
        function
        | CodexStreamError.Empty
        | CodexStreamError.PartialOnly -> true
        | CodexStreamError.Failed _
        | CodexStreamError.Malformed _ -> false

    /// How many attempts a call makes before an empty or partial-only stream is final.
    let attempts = 2

    let errorKind =
        function
        | CodexStreamError.Failed _ -> ErrorKind.ProviderError
        | CodexStreamError.Malformed _ -> ErrorKind.InvalidResponse
        | CodexStreamError.Empty -> ErrorKind.NoImage
        | CodexStreamError.PartialOnly -> ErrorKind.IncompleteImage

    let errorMessage (attemptsMade: int) =
        function
        | CodexStreamError.Failed message -> $"the Codex image tool failed: {ApiError.oneLine 300 message}"
        | CodexStreamError.Malformed detail -> $"the Codex stream carried an event that is not JSON: {detail}"
        | CodexStreamError.Empty ->
            $"the Codex response contained no image_generation_call result after {attemptsMade} attempt(s)"
        | CodexStreamError.PartialOnly ->
            $"Codex returned only a progressive partial image frame after {attemptsMade} attempt(s); refusing to save it as the final image"
