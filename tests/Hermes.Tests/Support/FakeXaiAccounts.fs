namespace Hermes.Tests.Support

open System
open System.Collections.Concurrent
open System.Security.Cryptography
open System.Text
open System.Threading
open System.Threading.Tasks
open Microsoft.AspNetCore.Http

/// How the fake answers, for the error paths.
[<RequireQualifiedAccess>]
type AccountsMode =
    | Normal
    | Deny
    | WrongState
    | WrongNonce
    | TokenHtml
    | TokenServerError
    | HostileTokenEndpoint
    | DiscoveryHtml

/// A loopback stand-in for accounts.x.ai: discovery, authorize (302 back to the loopback callback),
/// code exchange checked against the PKCE challenge, and refresh with single-use rotating refresh tokens.
type FakeXaiAccounts(?mode: AccountsMode, ?accessTtlSeconds: int64) =
    let mode = defaultArg mode AccountsMode.Normal
    let ttl = defaultArg accessTtlSeconds 3600L
    let codes = ConcurrentDictionary<string, string * string * string>()
    let live = ConcurrentDictionary<string, bool>()
    let revoked = ConcurrentDictionary<string, bool>()
    let reuse = ConcurrentQueue<string>()
    let exchanged = ConcurrentDictionary<string, bool>()
    let mutable issued = 0
    let mutable lastRefresh = ""
    let mutable refreshes = 0
    let gate = obj ()

    let b64url (bytes: byte[]) =
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_')

    let jwt (claims: string) =
        "eyJhbGciOiJub25lIn0." + b64url (Encoding.UTF8.GetBytes claims) + ".sig"

    let form (body: string) =
        body.Split('&', StringSplitOptions.RemoveEmptyEntries)
        |> Array.map (fun kv ->
            let i = kv.IndexOf '='
            Uri.UnescapeDataString(kv.Substring(0, i).Replace('+', ' ')), Uri.UnescapeDataString(kv.Substring(i + 1).Replace('+', ' ')))
        |> Map.ofArray

    let issue (nonce: string) =
        lock gate (fun () ->
            issued <- issued + 1

            let refresh =
                sprintf "rt-%d-%s" issued (Guid.NewGuid().ToString("N").Substring(0, 6))

            live[refresh] <- true
            lastRefresh <- refresh
            let exp = DateTimeOffset.UtcNow.ToUnixTimeSeconds() + ttl
            let access = jwt (sprintf """{"sub":"user-1","exp":%d,"n":%d}""" exp issued)
            exchanged[access] <- true
            let idToken = jwt (sprintf """{"sub":"user-1","nonce":"%s","exp":%d}""" nonce exp)

            sprintf
                """{"access_token":"%s","refresh_token":"%s","id_token":"%s","expires_in":%d,"token_type":"Bearer"}"""
                access
                refresh
                idToken
                ttl)

    let mutable baseUrl = ""

    let handler (request: RecordedRequest) (ctx: HttpContext) : Task =
        match request.Method, request.Path with
        | "GET", "/.well-known/openid-configuration" ->
            match mode with
            | AccountsMode.DiscoveryHtml -> Reply.text 200 "text/html" "<html>captive portal</html>" request ctx
            | _ ->
                let tokenEndpoint =
                    if mode = AccountsMode.HostileTokenEndpoint then
                        "https://evil.example.com/oauth2/token"
                    else
                        baseUrl + "/oauth2/token"

                Reply.json
                    200
                    (sprintf
                        """{"issuer":"%s","authorization_endpoint":"%s/oauth2/authorize","token_endpoint":"%s"}"""
                        baseUrl
                        baseUrl
                        tokenEndpoint)
                    request
                    ctx
        | "GET", "/oauth2/authorize" ->
            let q = request.Query
            let redirect = q["redirect_uri"]

            let ok =
                q["response_type"] = "code"
                && q["code_challenge_method"] = "S256"
                && q["plan"] = "generic"
                && q["referrer"] = "hermes-agent"
                && q["client_id"] = Hermes.Domain.XaiOAuth.clientId

            if not ok then
                Reply.json 400 """{"error":"invalid_request"}""" request ctx
            else
                let code = Guid.NewGuid().ToString("N")

                let nonce =
                    if mode = AccountsMode.WrongNonce then
                        "another-nonce"
                    else
                        q["nonce"]

                codes[code] <- (q["code_challenge"], redirect, nonce)

                let target =
                    match mode with
                    | AccountsMode.Deny -> sprintf "%s?error=access_denied&error_description=user+said+no&state=%s" redirect q["state"]
                    | AccountsMode.WrongState -> sprintf "%s?code=%s&state=forged" redirect code
                    | _ -> sprintf "%s?code=%s&state=%s" redirect code (Uri.EscapeDataString q["state"])

                ctx.Response.StatusCode <- 302
                ctx.Response.Headers.Location <- target
                Task.CompletedTask
        | "POST", "/oauth2/token" ->
            let f = form request.Body

            match mode with
            | AccountsMode.TokenHtml -> Reply.text 200 "text/html" "<html>proxy error</html>" request ctx
            | AccountsMode.TokenServerError -> Reply.text 503 "text/plain" "service unavailable" request ctx
            | _ ->
                match f.TryFind "grant_type" with
                | Some "authorization_code" ->
                    match codes.TryRemove f["code"] with
                    | true, (challenge, redirect, nonce) when
                        f["redirect_uri"] = redirect
                        && b64url (SHA256.HashData(Encoding.ASCII.GetBytes f["code_verifier"])) = challenge
                        ->
                        Reply.json 200 (issue nonce) request ctx
                    | _ -> Reply.json 400 """{"error":"invalid_grant"}""" request ctx
                | Some "refresh_token" when f.TryFind "client_id" = Some Hermes.Domain.XaiOAuth.clientId ->
                    let presented = f["refresh_token"]

                    let answer =
                        lock gate (fun () ->
                            match live.TryRemove presented with
                            | true, _ ->
                                revoked[presented] <- true
                                refreshes <- refreshes + 1
                                Some(issue "")
                            | _ ->
                                if revoked.ContainsKey presented then
                                    reuse.Enqueue presented

                                None)

                    match answer with
                    | Some body -> Reply.json 200 body request ctx
                    | None ->
                        Reply.json 400 """{"error":"invalid_grant","error_description":"refresh token reused or unknown"}""" request ctx
                | _ -> Reply.json 400 """{"error":"unsupported_grant_type"}""" request ctx
        | _ -> Reply.json 404 """{"error":"not found"}""" request ctx

    let server = new LoopbackServer(handler)
    do baseUrl <- server.BaseUrl

    member _.Issuer = baseUrl
    member _.DiscoveryUrl = baseUrl + "/.well-known/openid-configuration"
    member _.TokenEndpoint = baseUrl + "/oauth2/token"
    member _.Policy: Hermes.Domain.EndpointPolicy = { TrustedOrigins = [ baseUrl ] }
    member _.Requests = server.Requests
    member _.LastIssuedRefreshToken = lock gate (fun () -> lastRefresh)
    member _.Refreshes = lock gate (fun () -> refreshes)
    member _.ReusedTokens = reuse |> List.ofSeq

    /// Whether an access token came out of a code exchange or a refresh (seeded ones did not).
    member _.Issued(access: string) = exchanged.ContainsKey access

    /// A refresh token the fake accepts, with an access token that expires at `exp`.
    member _.Seed(exp: int64) =
        lock gate (fun () ->
            issued <- issued + 1
            let refresh = sprintf "rt-seed-%d" issued
            live[refresh] <- true
            lastRefresh <- refresh
            jwt (sprintf """{"sub":"user-1","exp":%d}""" exp), refresh)

    static member Jwt(claims: string) =
        "eyJhbGciOiJub25lIn0."
        + Convert.ToBase64String(Encoding.UTF8.GetBytes claims).TrimEnd('=').Replace('+', '-').Replace('/', '_')
        + ".sig"

    interface IDisposable with
        member _.Dispose() = (server :> IDisposable).Dispose()
