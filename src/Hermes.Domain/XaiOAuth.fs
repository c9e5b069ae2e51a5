namespace Hermes.Domain

open System
open System.Text.Json

/// What an xAI token or refresh response carries.
type TokenSet =
    {
        AccessToken: string
        RefreshToken: string
        IdToken: string
        ExpiresIn: int64 option
        TokenType: string
    }

/// The two endpoints xAI's OpenID discovery names.
type Discovery =
    {
        AuthorizationEndpoint: string
        TokenEndpoint: string
    }

/// The xAI OAuth rules: client, scope, issuer, the callback check and the discovery and token answers.
module XaiOAuth =

    let clientId = "b1a00492-073a-47ea-816f-4c329264a828"
    let scope = "openid profile email offline_access grok-cli:access api:access"
    let issuer = "https://auth.x.ai"
    let discoveryUrl = issuer + "/.well-known/openid-configuration"
    let apiBaseUrl = "https://api.x.ai/v1"
    let providerId = "xai-oauth"
    let pickerLabel = "xAI Grok OAuth (SuperGrok Subscription)"

    /// HERMES_XAI_OAUTH_ISSUER: another *.x.ai issuer, or a local one on 127.0.0.1 (trusted exactly, for development fakes).
    let issuerOverride (value: string) : Result<string * EndpointPolicy, BadValue> =
        let trimmed = (if isNull value then "" else value.Trim()).TrimEnd('/')
        let discovery = trimmed + "/.well-known/openid-configuration"

        let bad () =
            Error
                {
                    Field = "HERMES_XAI_OAUTH_ISSUER"
                    Value = trimmed
                    Allowed = [ "https://<x.ai or a subdomain>"; "http://127.0.0.1:<port>" ]
                }

        match HostAllowlist.check HostAllowlist.strict trimmed with
        | Ok _ when not (trimmed.Substring(8).Contains '/') -> Ok(discovery, HostAllowlist.strict)
        | Ok _ -> bad ()
        | Error _ ->
            let prefix = "http://127.0.0.1:"

            if trimmed.StartsWith prefix then
                match
                    System.Int32.TryParse(
                        trimmed.Substring prefix.Length,
                        Globalization.NumberStyles.None,
                        Globalization.CultureInfo.InvariantCulture
                    )
                with
                | true, port when port >= 1 && port <= 65535 && string port = trimmed.Substring prefix.Length ->
                    Ok(discovery, { TrustedOrigins = [ trimmed ] })
                | _ -> bad ()
            else
                bad ()

    let private parseObject (step: AuthStep) (status: int) (body: string) =
        if status <> 200 then
            Error(AuthError.HttpStatus(step, status, ApiError.providerMessage body))
        else
            try
                use doc = JsonDocument.Parse(if isNull body then "" else body)

                if doc.RootElement.ValueKind = JsonValueKind.Object then
                    Ok(doc.RootElement.Clone())
                else
                    Error(AuthError.NotAnObject step)
            with :? JsonException ->
                Error(AuthError.MalformedJson step)

    let private text (name: string) (element: JsonElement) =
        match element.TryGetProperty name with
        | true, value when value.ValueKind = JsonValueKind.String -> Validation.nonBlank (value.GetString())
        | _ -> None

    let private seconds (name: string) (element: JsonElement) =
        match element.TryGetProperty name with
        | true, value when value.ValueKind = JsonValueKind.Number ->
            match value.TryGetInt64() with
            | true, n -> Some n
            | _ -> None
        | true, value when value.ValueKind = JsonValueKind.String ->
            match System.Int64.TryParse(value.GetString()) with
            | true, n -> Some n
            | _ -> None
        | _ -> None

    /// Discovery must name both endpoints, and both must pass the host allowlist.
    let parseDiscovery (policy: EndpointPolicy) (status: int) (body: string) : Result<Discovery, AuthError> =
        parseObject AuthStep.Discovery status body
        |> Result.bind (fun root ->
            match text "authorization_endpoint" root, text "token_endpoint" root with
            | None, _ -> Error(AuthError.MissingField(AuthStep.Discovery, "authorization_endpoint"))
            | _, None -> Error(AuthError.MissingField(AuthStep.Discovery, "token_endpoint"))
            | Some authorization, Some token ->
                match HostAllowlist.check policy authorization, HostAllowlist.check policy token with
                | Error r, _
                | _, Error r -> Error(AuthError.HostileEndpoint r)
                | Ok a, Ok t ->
                    Ok
                        {
                            AuthorizationEndpoint = a
                            TokenEndpoint = t
                        })

    /// A token or refresh response; a refresh that omits refresh_token keeps the previous one.
    let parseTokens (step: AuthStep) (previousRefreshToken: string option) (status: int) (body: string) =
        parseObject step status body
        |> Result.bind (fun root ->
            match text "access_token" root with
            | None -> Error(AuthError.MissingField(step, "access_token"))
            | Some access ->
                match
                    text "refresh_token" root
                    |> Option.orElse (previousRefreshToken |> Option.bind Validation.nonBlank)
                with
                | None -> Error(AuthError.MissingField(step, "refresh_token"))
                | Some refresh ->
                    Ok
                        {
                            AccessToken = access
                            RefreshToken = refresh
                            IdToken = text "id_token" root |> Option.defaultValue ""
                            ExpiresIn = seconds "expires_in" root
                            TokenType = text "token_type" root |> Option.defaultValue "Bearer"
                        })

    /// An ID token whose `nonce` claim differs from the one sent is refused; one without the claim cannot be checked.
    let checkNonce (expected: string) (idToken: string) =
        match Jwt.tryString [ "nonce" ] idToken with
        | Some nonce when nonce <> expected -> Error AuthError.NonceMismatch
        | _ -> Ok()
