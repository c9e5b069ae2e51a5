namespace Hermes.Domain

open System
open System.Text
open System.Text.Json

/// Reads JWT claims without checking the signature: enough for expiry and account hints, never for trust.
module Jwt =

    let private fromBase64Url (segment: string) =
        let standard = segment.Replace('-', '+').Replace('_', '/')
        let padded = standard + String('=', (4 - standard.Length % 4) % 4)
        let buffer = Array.zeroCreate<byte> (padded.Length * 3 / 4 + 3)

        match Convert.TryFromBase64String(padded, Span<byte>(buffer)) with
        | true, written -> Some(buffer[.. written - 1])
        | _ -> None

    /// The claims object of a three-part token, or None for anything else.
    let tryClaims (token: string) : JsonElement option =
        match Validation.nonBlank token with
        | None -> None
        | Some value ->
            match value.Split '.' with
            | [| _; payload; _ |] when payload <> "" ->
                fromBase64Url payload
                |> Option.bind (fun bytes ->
                    try
                        use doc = JsonDocument.Parse(Encoding.UTF8.GetString bytes)

                        if doc.RootElement.ValueKind = JsonValueKind.Object then
                            Some(doc.RootElement.Clone())
                        else
                            None
                    with :? JsonException ->
                        None)
            | _ -> None

    /// A claim reached by a path of property names, e.g. ["https://api.openai.com/auth"; "chatgpt_account_id"].
    let tryClaim (path: string list) (token: string) =
        let step (element: JsonElement option) (name: string) =
            element
            |> Option.bind (fun e ->
                match e.ValueKind with
                | JsonValueKind.Object ->
                    match e.TryGetProperty name with
                    | true, child -> Some child
                    | _ -> None
                | _ -> None)

        path |> List.fold step (tryClaims token)

    let tryString (path: string list) (token: string) =
        match tryClaim path token with
        | Some e when e.ValueKind = JsonValueKind.String -> Validation.nonBlank (e.GetString())
        | _ -> None

    let tryInt64 (path: string list) (token: string) =
        match tryClaim path token with
        | Some e when e.ValueKind = JsonValueKind.Number ->
            match e.TryGetInt64() with
            | true, n -> Some n
            | _ ->
                match e.TryGetDouble() with
                | true, d when not (Double.IsNaN d) && d < 9.2e18 && d > -9.2e18 -> Some(int64 d)
                | _ -> None
        | _ -> None
