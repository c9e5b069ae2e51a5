namespace Hermes.Domain

open System
open System.Text.Json

/// Which xAI failures open the one refresh-and-retry of a signed-in token besides 401.
module XaiAuthGate =

    let staleTokenCode = "unauthenticated:bad-credentials"

    let private isStaleCode (element: JsonElement) =
        element.ValueKind = JsonValueKind.String
        && (Validation.nonBlank (element.GetString()))
           |> Option.exists (fun code -> code.Equals(staleTokenCode, StringComparison.OrdinalIgnoreCase))

    let private codes (root: JsonElement) =
        let field (name: string) (element: JsonElement) =
            match element.ValueKind with
            | JsonValueKind.Object ->
                match element.TryGetProperty name with
                | true, value -> [ value ]
                | _ -> []
            | _ -> []

        // `code`, `error` as a string, or `error.code`.
        field "code" root
        @ field "error" root
        @ (field "error" root |> List.collect (field "code"))

    /// True only for a 403 whose body code is `unauthenticated:bad-credentials`; spending-limit and entitlement 403s are false.
    let isStaleTokenForbidden (status: int) (body: string) =
        status = 403
        && match Validation.nonBlank body with
           | None -> false
           | Some json ->
               try
                   use document = JsonDocument.Parse json
                   codes document.RootElement |> List.exists isStaleCode
               with
               | :? JsonException
               | :? ArgumentException
               | :? InvalidOperationException -> false
