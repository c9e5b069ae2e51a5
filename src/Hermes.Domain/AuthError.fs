namespace Hermes.Domain

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
        | AuthError.HttpStatus(step, _, _) -> $"xai_{stepCode step}_failed"
        | AuthError.MalformedJson step -> $"xai_{stepCode step}_invalid_json"
        | AuthError.NotAnObject AuthStep.Discovery -> "xai_discovery_incomplete"
        | AuthError.NotAnObject step -> $"xai_{stepCode step}_invalid_response"
        | AuthError.MissingField(AuthStep.Discovery, _) -> "xai_discovery_incomplete"
        | AuthError.MissingField(AuthStep.Store, field) -> $"xai_auth_missing_{field}"
        | AuthError.MissingField(step, field) -> $"xai_{stepCode step}_missing_{field}"
        | AuthError.StateMismatch -> "xai_state_mismatch"
        | AuthError.NonceMismatch -> "xai_nonce_mismatch"
        | AuthError.HostileEndpoint _ -> "xai_discovery_invalid"
        | AuthError.Timeout AuthStep.Callback -> "xai_callback_timeout"
        | AuthError.Timeout step -> $"xai_{stepCode step}_timeout"
        | AuthError.UserDenied _ -> "xai_authorization_denied"
        | AuthError.RedirectInvalid _ -> "xai_redirect_invalid"
        | AuthError.Network(step, _) -> $"xai_{stepCode step}_failed"
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
        | AuthError.HttpStatus(step, status, detail) -> $"xAI {stepName step} returned HTTP {status}: {detail}"
        | AuthError.MalformedJson step -> $"xAI {stepName step} did not return JSON (a captive portal or proxy page?)"
        | AuthError.NotAnObject step -> $"xAI {stepName step} returned JSON that is not an object"
        | AuthError.MissingField(AuthStep.Store, field) ->
            $"the xAI sign-in in auth.json has no {field}; run `hermes auth add xai-oauth`"
        | AuthError.MissingField(step, field) -> $"xAI {stepName step} response has no {field}"
        | AuthError.StateMismatch -> "the OAuth callback's state does not match this sign-in; refusing it"
        | AuthError.NonceMismatch -> "the ID token's nonce does not match this sign-in; refusing it"
        | AuthError.HostileEndpoint r -> $"refusing endpoint '{r.Url}': {r.Reason}"
        | AuthError.Timeout AuthStep.Callback -> "timed out waiting for the browser to return to Hermes"
        | AuthError.Timeout step -> $"xAI {stepName step} timed out"
        | AuthError.UserDenied(error, description) ->
            sprintf "xAI sign-in was refused (%s)%s" error (if description = "" then "" else ": " + description)
        | AuthError.RedirectInvalid bad -> bad.Message
        | AuthError.Network(step, detail) -> $"xAI {stepName step} failed: {detail}"
        | AuthError.NotSignedIn -> "not signed in to xAI; run `hermes auth add xai-oauth`"
        | AuthError.StoreCorrupt detail -> $"auth.json cannot be read: {detail}"
        | AuthError.LockTimeout path -> $"timed out waiting for the lock on {path}"

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
        | AuthError.LockTimeout _ -> ErrorKind.Storage
        | AuthError.HttpStatus _
        | AuthError.MalformedJson _
        | AuthError.NotAnObject _
        | AuthError.MissingField _ -> ErrorKind.ProviderError
        | AuthError.StateMismatch
        | AuthError.NonceMismatch
        | AuthError.HostileEndpoint _
        | AuthError.Timeout _
        | AuthError.UserDenied _ -> ErrorKind.Auth
