namespace Hermes.Domain

open System.Text.Json

/// Why a call failed, as the `error_type` callers switch on; the wire name is the case name in snake_case.
[<RequireQualifiedAccess>]
type ErrorKind =
    | InvalidArgument
    | NotAvailable
    | Auth
    | InvalidRequest
    | RateLimited
    | ContentPolicy
    | ProviderError
    | InvalidResponse
    | NoImage
    | Network
    | Timeout
    | Storage
    | Config
    | ProviderNotRegistered
    | IncompleteImage
    | Cancelled

module ErrorKind =

    let toWire =
        function
        | ErrorKind.InvalidArgument -> "invalid_argument"
        | ErrorKind.NotAvailable -> "not_available"
        | ErrorKind.Auth -> "auth"
        | ErrorKind.InvalidRequest -> "invalid_request"
        | ErrorKind.RateLimited -> "rate_limited"
        | ErrorKind.ContentPolicy -> "content_policy"
        | ErrorKind.ProviderError -> "provider_error"
        | ErrorKind.InvalidResponse -> "invalid_response"
        | ErrorKind.NoImage -> "no_image"
        | ErrorKind.Network -> "network"
        | ErrorKind.Timeout -> "timeout"
        | ErrorKind.Storage -> "storage"
        | ErrorKind.Config -> "config"
        | ErrorKind.ProviderNotRegistered -> "provider_not_registered"
        | ErrorKind.IncompleteImage -> "incomplete_image"
        | ErrorKind.Cancelled -> "cancelled"

module ApiError =

    /// The error kind an HTTP status stands for.
    let kindOfStatus (status: int) =
        match status with
        | 400
        | 404
        | 409
        | 413
        | 415
        | 422 -> ErrorKind.InvalidRequest
        | 401
        | 402
        | 403 -> ErrorKind.Auth
        | 408
        | 504 -> ErrorKind.Timeout
        | 429 -> ErrorKind.RateLimited
        | _ -> ErrorKind.ProviderError

    /// One line of at most `limit` characters with every control and escape sequence removed: server text is untrusted.
    let oneLine (limit: int) (text: string) = TerminalText.sanitizeWith limit text

    let private stringOf (element: JsonElement) =
        match element.ValueKind with
        | JsonValueKind.String -> Validation.nonBlank (element.GetString())
        | JsonValueKind.Array ->
            element.EnumerateArray()
            |> Seq.choose (fun item ->
                match item.ValueKind with
                | JsonValueKind.String -> Validation.nonBlank (item.GetString())
                | JsonValueKind.Object ->
                    match item.TryGetProperty "msg" with
                    | true, msg when msg.ValueKind = JsonValueKind.String -> Validation.nonBlank (msg.GetString())
                    | _ -> None
                | _ -> None)
            |> Seq.tryHead
        | _ -> None

    let private property (name: string) (element: JsonElement) =
        match element.ValueKind with
        | JsonValueKind.Object ->
            match element.TryGetProperty name with
            | true, value -> Some value
            | _ -> None
        | _ -> None

    /// The provider's own message: JSON `error.message`, `error`, `detail` or `message`, else the body text.
    let providerMessage (body: string) =
        let fromJson =
            try
                use doc = JsonDocument.Parse(if isNull body then "" else body)
                let root = doc.RootElement

                [
                    root
                    |> property "error"
                    |> Option.bind (property "message")
                    |> Option.bind stringOf
                    root |> property "error" |> Option.bind stringOf
                    root |> property "detail" |> Option.bind stringOf
                    root |> property "message" |> Option.bind stringOf
                ]
                |> List.choose id
                |> List.tryHead
            with :? JsonException ->
                None

        match fromJson with
        | Some message -> oneLine 300 message
        | None ->
            match Validation.nonBlank body with
            | Some text -> oneLine 300 text
            | None -> "no message"

    /// The machine-readable code of an error body: `error.code`, `code`, `error.type`.
    let errorCode (body: string) =
        try
            use doc = JsonDocument.Parse(if isNull body then "" else body)
            let root = doc.RootElement

            [
                root |> property "error" |> Option.bind (property "code")
                root |> property "code"
                root |> property "error" |> Option.bind (property "type")
            ]
            |> List.choose id
            |> List.tryPick (fun e ->
                if e.ValueKind = JsonValueKind.String then
                    Validation.nonBlank (e.GetString())
                else
                    None)
        with :? JsonException ->
            None

    /// Codes by which providers say a prompt or image was refused by their safety system.
    let contentPolicyCodes =
        set [ "moderation_blocked"; "content_policy_violation"; "content_filter" ]

    /// The error kind of an HTTP error answer: a safety refusal is content_policy whatever its status.
    let classify (status: int) (body: string) =
        match errorCode body with
        | Some code when contentPolicyCodes.Contains code -> ErrorKind.ContentPolicy
        | _ -> kindOfStatus status

    /// "<Provider> returned HTTP <status>: <message>".
    let describe (provider: string) (status: int) (body: string) =
        $"{provider} returned HTTP {status}: {providerMessage body}"
