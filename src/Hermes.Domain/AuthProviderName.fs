namespace Hermes.Domain

/// Provider names `hermes auth add|remove` accepts.
module AuthProviderName =

    /// The one provider Hermes signs in to.
    let xaiOAuth = "xai-oauth"

    /// Other spellings of xai-oauth the reference accepts.
    let aliases = [ "grok-oauth"; "x-ai-oauth"; "xai-grok-oauth" ]

    /// The canonical provider name for a name or alias (trimmed, any case).
    let parse (text: string) : Result<string, BadValue> =
        match Validation.nonBlank text |> Option.map _.ToLowerInvariant() with
        | Some name when name = xaiOAuth || List.contains name aliases -> Ok xaiOAuth
        | _ ->
            Error
                {
                    Field = "provider"
                    Value = (if isNull text then "" else text)
                    Allowed = xaiOAuth :: aliases
                }
