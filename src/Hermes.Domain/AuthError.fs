namespace Hermes.Domain

open System
open System.Text.Json

[<RequireQualifiedAccess>]
type AuthStep =
    | Discovery
    | Callback
    | TokenExchange
    | Refresh
    | Store

/// Everything that can go wrong while signing in to xAI or refreshing its tokens.
[<RequireQualifiedAccess>]
type AuthError =
    | HttpStatus of step: AuthStep * status: int * detail: string
    | MalformedJson of step: AuthStep
    | NotAnObject of step: AuthStep
    | MissingField of step: AuthStep * field: string
    | StateMismatch
    | NonceMismatch
    | HostileEndpoint of rejection: EndpointRejection
    | Timeout of step: AuthStep
    | UserDenied of error: string * description: string
    | RedirectInvalid of bad: BadValue
    | Network of step: AuthStep * detail: string
    | NotSignedIn
    | StoreCorrupt of detail: string
    | LockTimeout of path: string

type TokenSet =
    {
        AccessToken: string
        RefreshToken: string
        IdToken: string
        ExpiresIn: int64 option
        TokenType: string
    }

type Discovery =
    {
        AuthorizationEndpoint: string
        TokenEndpoint: string
    }

module AuthError =

    let private stepName =
        function
        | AuthStep.Discovery -> "discovery"
        | AuthStep.Callback -> "callback"
        | AuthStep.TokenExchange -> "token exchange"
        | AuthStep.Refresh -> "refresh"
        | AuthStep.Store -> "auth store"

    let private stepCode =
        function
        | AuthStep.Discovery -> "discovery"
        | AuthStep.Callback -> "callback"
        | AuthStep.TokenExchange -> "token_exchange"
        | AuthStep.Refresh -> "refresh"
        | AuthStep.Store -> "auth"

    /// A stable machine code, in the reference's `xai_*` vocabulary.
    let code =
        function
        | AuthError.HttpStatus(step, _, _) -> sprintf "xai_%s_failed" (stepCode step)
        | AuthError.MalformedJson step -> sprintf "xai_%s_invalid_json" (stepCode step)
        | AuthError.NotAnObject AuthStep.Discovery -> "xai_discovery_incomplete"
        | AuthError.NotAnObject step -> sprintf "xai_%s_invalid_response" (stepCode step)
        | AuthError.MissingField(AuthStep.Discovery, _) -> "xai_discovery_incomplete"
        | AuthError.MissingField(AuthStep.Store, field) -> sprintf "xai_auth_missing_%s" field
        | AuthError.MissingField(step, field) -> sprintf "xai_%s_missing_%s" (stepCode step) field
        | AuthError.StateMismatch -> "xai_state_mismatch"
        | AuthError.NonceMismatch -> "xai_nonce_mismatch"
        | AuthError.HostileEndpoint _ -> "xai_discovery_invalid"
        | AuthError.Timeout AuthStep.Callback -> "xai_callback_timeout"
        | AuthError.Timeout step -> sprintf "xai_%s_timeout" (stepCode step)
        | AuthError.UserDenied _ -> "xai_authorization_denied"
        | AuthError.RedirectInvalid _ -> "xai_redirect_invalid"
        | AuthError.Network(step, _) -> sprintf "xai_%s_failed" (stepCode step)
        | AuthError.NotSignedIn -> "xai_auth_missing"
        | AuthError.StoreCorrupt _ -> "xai_auth_store_corrupt"
        | AuthError.LockTimeout _ -> "xai_auth_store_locked"

    /// Whether only a new sign-in fixes it (the refresh token is gone or refused).
    let reloginRequired =
        function
        | AuthError.HttpStatus(AuthStep.Refresh, status, _) -> status = 400 || status = 401 || status = 403
        | AuthError.MissingField((AuthStep.Refresh | AuthStep.Store), _) -> true
        | AuthError.NotSignedIn -> true
        | _ -> false

    let message =
        function
        | AuthError.HttpStatus(step, status, detail) -> sprintf "xAI %s returned HTTP %d: %s" (stepName step) status detail
        | AuthError.MalformedJson step -> sprintf "xAI %s did not return JSON (a captive portal or proxy page?)" (stepName step)
        | AuthError.NotAnObject step -> sprintf "xAI %s returned JSON that is not an object" (stepName step)
        | AuthError.MissingField(AuthStep.Store, field) ->
            sprintf "the xAI sign-in in auth.json has no %s; run `hermes auth add xai-oauth`" field
        | AuthError.MissingField(step, field) -> sprintf "xAI %s response has no %s" (stepName step) field
        | AuthError.StateMismatch -> "the OAuth callback's state does not match this sign-in; refusing it"
        | AuthError.NonceMismatch -> "the ID token's nonce does not match this sign-in; refusing it"
        | AuthError.HostileEndpoint r -> sprintf "refusing endpoint '%s': %s" r.Url r.Reason
        | AuthError.Timeout AuthStep.Callback -> "timed out waiting for the browser to return to Hermes"
        | AuthError.Timeout step -> sprintf "xAI %s timed out" (stepName step)
        | AuthError.UserDenied(error, description) ->
            sprintf "xAI sign-in was refused (%s)%s" error (if description = "" then "" else ": " + description)
        | AuthError.RedirectInvalid bad -> bad.Message
        | AuthError.Network(step, detail) -> sprintf "xAI %s failed: %s" (stepName step) detail
        | AuthError.NotSignedIn -> "not signed in to xAI; run `hermes auth add xai-oauth`"
        | AuthError.StoreCorrupt detail -> sprintf "auth.json cannot be read: %s" detail
        | AuthError.LockTimeout path -> sprintf "timed out waiting for the lock on %s" path

    /// The error kind callers and exit codes switch on.
    let kind =
        function
        | AuthError.Network _
        | AuthError.Timeout AuthStep.Discovery
        | AuthError.Timeout AuthStep.TokenExchange
        | AuthError.Timeout AuthStep.Refresh -> ErrorKind.Network
        | AuthError.NotSignedIn -> ErrorKind.NotAvailable
        | AuthError.RedirectInvalid _ -> ErrorKind.InvalidArgument
        | AuthError.StoreCorrupt _
        | AuthError.LockTimeout _ -> ErrorKind.Cache
        | AuthError.HttpStatus _
        | AuthError.MalformedJson _
        | AuthError.NotAnObject _
        | AuthError.MissingField _ -> ErrorKind.ProviderError
        | AuthError.StateMismatch
        | AuthError.NonceMismatch
        | AuthError.HostileEndpoint _
        | AuthError.Timeout _
        | AuthError.UserDenied _ -> ErrorKind.Auth

    /// An ID token whose `nonce` claim differs from the one sent is refused; one without the claim cannot be checked.
    let checkNonce (expected: string) (idToken: string) =
        match Jwt.tryString [ "nonce" ] idToken with
        | Some nonce when nonce <> expected -> Error AuthError.NonceMismatch
        | _ -> Ok()

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
