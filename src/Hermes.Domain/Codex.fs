namespace Hermes.Domain

open System.Text.Json

/// Headers the ChatGPT/Codex backend requires, built in one place.
module CodexHeaders =

    /// Cloudflare in front of chatgpt.com/backend-api/codex admits first-party originators only.
    let originator = "codex_cli_rs"

    let userAgent (hermesVersion: string) =
        sprintf "codex_cli_rs/0.0.0 (Hermes %s)" hermesVersion

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
    | Truncated
    | NoImage

/// Server-sent events of a Codex Responses stream, folded line by line into the generated image.
type CodexStream =
    {
        EventName: string option
        Data: string list
        Image: string option
        Partials: int
        Completed: bool
        Failure: string option
        Malformed: string option
    }

module CodexStream =

    let initial =
        {
            EventName = None
            Data = []
            Image = None
            Partials = 0
            Completed = false
            Failure = None
            Malformed = None
        }

    let rec private findImage (element: JsonElement) : string option =
        match element.ValueKind with
        | JsonValueKind.Object ->
            let own =
                match element.TryGetProperty "type", element.TryGetProperty "result" with
                | (true, t), (true, r) when
                    t.ValueKind = JsonValueKind.String
                    && t.GetString() = "image_generation_call"
                    && r.ValueKind = JsonValueKind.String
                    ->
                    Validation.nonBlank (r.GetString())
                | _ -> None

            own
            |> Option.orElse (element.EnumerateObject() |> Seq.tryPick (fun p -> findImage p.Value))
        | JsonValueKind.Array -> element.EnumerateArray() |> Seq.tryPick findImage
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
        if data = "[DONE]" then
            state
        else
            try
                use doc = JsonDocument.Parse data
                let root = doc.RootElement

                let kind = text [ "type" ] root |> Option.orElse eventName |> Option.defaultValue ""

                let state =
                    match findImage root with
                    | Some image -> { state with Image = Some image }
                    | None -> state

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
                (lines |> List.rev |> String.concat "\n")

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

    /// The image once the stream has ended; an image that arrived whole is kept even if the stream was cut after it.
    let finish (state: CodexStream) : Result<string, CodexStreamError> =
        let state = flush state

        match state.Failure, state.Malformed, state.Image with
        | Some message, _, _ -> Error(CodexStreamError.Failed message)
        | None, Some detail, _ -> Error(CodexStreamError.Malformed detail)
        | None, None, Some image -> Ok image
        | None, None, None when not state.Completed -> Error CodexStreamError.Truncated
        | None, None, None -> Error CodexStreamError.NoImage

    let errorKind =
        function
        | CodexStreamError.Failed _
        | CodexStreamError.Malformed _
        | CodexStreamError.Truncated -> ErrorKind.ProviderError
        | CodexStreamError.NoImage -> ErrorKind.NoImage

    let errorMessage =
        function
        | CodexStreamError.Failed message -> sprintf "the Codex image tool failed: %s" message
        | CodexStreamError.Malformed detail -> sprintf "the Codex stream carried an event that is not JSON: %s" detail
        | CodexStreamError.Truncated -> "the Codex stream ended before the image was complete"
        | CodexStreamError.NoImage -> "the Codex response finished without an image"
