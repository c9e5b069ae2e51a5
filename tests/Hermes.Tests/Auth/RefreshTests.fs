module Hermes.Tests.Auth.RefreshTests

open System
open System.Diagnostics
open System.IO
open System.Text.Json.Nodes
open System.Threading
open System.Threading.Tasks
open Xunit
open Hermes.Domain
open Hermes.Providers.Auth
open Hermes.Providers.Core
open Hermes.Providers.Xai
open Hermes.Tests.Support
open Hermes.Tests.Support.Fakes
open Hermes.Tests.Support.EitherExpect

let now () =
    DateTimeOffset.UtcNow.ToUnixTimeSeconds()

let tokens access refresh : TokenSet =
    {
        AccessToken = access
        RefreshToken = refresh
        IdToken = ""
        ExpiresIn = Some 3600L
        TokenType = "Bearer"
    }

/// Stores a sign-in the way `hermes auth add xai-oauth` does.
let store (ctx: HermesContext) (fake: FakeXaiAccounts) (access: string) (refresh: string) (asSingleton: bool) =
    let discovery =
        {
            AuthorizationEndpoint = fake.Issuer + "/oauth2/authorize"
            TokenEndpoint = fake.TokenEndpoint
        }

    ctx.Auth
        .UpdateAsync<XaiOAuthEntry>(
            (fun root ->
                LanguageExt.Either<AuthError, struct (XaiOAuthEntry * bool)>
                    .Right(
                        struct (XaiCredentialStore.AddSignIn(
                                    root,
                                    tokens access refresh,
                                    discovery,
                                    "http://127.0.0.1:1/callback",
                                    "2026-01-01T00:00:00Z",
                                    asSingleton
                                ),
                                true)
                    )),
            CancellationToken.None
        )
        .Result
    |> ignore

let auth (home: TestHome) =
    JsonNode.Parse(File.ReadAllText home.AuthPath)

let manager (ctx: HermesContext) =
    XaiTokenManager(ctx, XaiOAuthClient ctx)

let credential (m: XaiTokenManager) = someOf (m.Peek())

let refreshed (outcome: LanguageExt.Either<AuthError, XaiRefresh>) = rightOf outcome

let resolvedOf (outcome: LanguageExt.Either<AuthError, LanguageExt.Option<XaiCredential>>) = someOf (rightOf outcome)

[<Fact>]
let ``an expiring sign-in is refreshed before use and rotated in both the singleton and the pool`` () =
    task {
        use fake = new FakeXaiAccounts()
        use home = new TestHome()
        let ctx = home.OAuthContext(fake.DiscoveryUrl, fake.Policy, [])
        let access, refresh = fake.Seed(now () + 30L)
        store ctx fake access refresh true
        let root = auth home
        root["active_provider"] <- "openrouter"
        File.WriteAllText(home.AuthPath, root.ToJsonString())

        let! resolved = (manager ctx).ResolveAsync CancellationToken.None

        let fresh = resolvedOf resolved

        Assert.NotEqual<string>(access, fresh.Token)
        Assert.Equal(1, fake.Refreshes)
        let after = auth home
        Assert.Equal(fake.LastIssuedRefreshToken, textAt after [ "providers"; "xai-oauth"; "tokens"; "refresh_token" ])
        Assert.Equal(fresh.Token, textAt after [ "providers"; "xai-oauth"; "tokens"; "access_token" ])
        let pool = after.["credential_pool"].["xai-oauth"].AsArray()
        Assert.Equal(fake.LastIssuedRefreshToken, textAt (Assert.Single pool) [ "refresh_token" ])
        Assert.Equal("openrouter", textAt after [ "active_provider" ])
        Assert.Equal(UnixFileMode.UserRead ||| UnixFileMode.UserWrite, File.GetUnixFileMode(home.AuthPath))
    }

[<Fact>]
let ``a fresh sign-in is used as it is`` () =
    task {
        use fake = new FakeXaiAccounts()
        use home = new TestHome()
        let ctx = home.OAuthContext(fake.DiscoveryUrl, fake.Policy, [])
        let access, refresh = fake.Seed(now () + 3600L)
        store ctx fake access refresh true
        let! resolved = (manager ctx).ResolveAsync CancellationToken.None
        Assert.Equal(access, (resolvedOf resolved).Token)
        Assert.Equal(0, fake.Refreshes)
    }

[<Fact>]
let ``tokens another process rotated are adopted instead of spending a stale refresh token`` () =
    task {
        use fake = new FakeXaiAccounts()
        use home = new TestHome()
        let ctx = home.OAuthContext(fake.DiscoveryUrl, fake.Policy, [])
        let access, refresh = fake.Seed(now () + 3600L)
        store ctx fake access refresh true
        let m = manager ctx
        let seen = credential m
        let otherAccess, otherRefresh = fake.Seed(now () + 7200L)
        store ctx fake otherAccess otherRefresh true
        let! outcome = m.RefreshAsync(seen, true, CancellationToken.None)
        let r = refreshed outcome
        Assert.False r.Rotated
        Assert.Equal(otherAccess, r.Credential.Token)
        Assert.Equal(0, fake.Refreshes)
    }

[<Fact>]
let ``twenty concurrent refreshes of one stale token rotate it exactly once`` () =
    task {
        use fake = new FakeXaiAccounts()
        use home = new TestHome()
        let ctx = home.OAuthContext(fake.DiscoveryUrl, fake.Policy, [])
        let access, refresh = fake.Seed(now () + 3600L)
        store ctx fake access refresh true
        let m = manager ctx
        let seen = credential m
        let! outcomes = Task.WhenAll [ for _ in 1..20 -> m.RefreshAsync(seen, true, CancellationToken.None) ]
        let results = outcomes |> Array.map refreshed
        Assert.Equal(1, results |> Array.filter _.Rotated |> Array.length)
        Assert.Equal(1, results |> Array.map _.Credential.Token |> Array.distinct |> Array.length)
        Assert.Equal(1, fake.Refreshes)
        Assert.Empty(fake.ReusedTokens)
    }

[<Fact>]
let ``refreshing a manual pool entry leaves the signed-in singleton alone`` () =
    task {
        use fake = new FakeXaiAccounts()
        use home = new TestHome()
        let ctx = home.OAuthContext(fake.DiscoveryUrl, fake.Policy, [])
        let singleAccess, singleRefresh = fake.Seed(now () + 3600L)
        store ctx fake singleAccess singleRefresh true
        let manualAccess, manualRefresh = fake.Seed(now () + 30L)
        store ctx fake manualAccess manualRefresh false
        let entries = XaiCredentialStore.Entries(rightOf (ctx.Auth.Read()))
        let manual = entries |> Seq.find (fun e -> not e.IsSingleton)

        let! outcome =
            (manager ctx).RefreshAsync(XaiCredential(manual.AccessToken, XaiCredentialSource.Pool, manual), false, CancellationToken.None)

        Assert.True((refreshed outcome).Rotated)
        let after = auth home
        Assert.Equal(singleRefresh, textAt after [ "providers"; "xai-oauth"; "tokens"; "refresh_token" ])

        let pool =
            after.["credential_pool"].["xai-oauth"].AsArray()
            |> Seq.map (fun e -> textAt e [ "source" ], textAt e [ "refresh_token" ])
            |> Map.ofSeq

        Assert.Equal(fake.LastIssuedRefreshToken, pool[XaiOAuthEntry.ManualSource])
        Assert.Equal(singleRefresh, pool[XaiOAuthEntry.SingletonSource])
    }

[<Fact>]
let ``a poisoned token endpoint in auth.json is refused before the refresh token is sent`` () =
    task {
        use fake = new FakeXaiAccounts()
        use home = new TestHome()
        let ctx = home.OAuthContext(fake.DiscoveryUrl, fake.Policy, [])
        let access, refresh = fake.Seed(now () - 10L)
        store ctx fake access refresh true
        let root = auth home
        root.["providers"].["xai-oauth"].["discovery"].["token_endpoint"] <- "https://evil.example.com/token"
        File.WriteAllText(home.AuthPath, root.ToJsonString())
        let! outcome = (manager ctx).ResolveAsync CancellationToken.None
        Assert.Equal("xai_discovery_invalid", AuthError.code (leftOf outcome))

        Assert.Empty(fake.Requests)
    }

[<Fact>]
let ``a refused refresh is a relogin error; the tokens stay and the sign-in is retired until the next sign-in`` () =
    task {
        use fake = new FakeXaiAccounts()
        use home = new TestHome()
        let ctx = home.OAuthContext(fake.DiscoveryUrl, fake.Policy, [])
        let expired = FakeXaiAccounts.Jwt(sprintf """{"exp":%d}""" (now () - 5L))
        store ctx fake expired "rt-unknown" true
        let! outcome = (manager ctx).ResolveAsync CancellationToken.None
        let e = leftOf outcome
        Assert.Equal("xai_refresh_failed", AuthError.code e)
        Assert.True(AuthError.reloginRequired e)
        let after = auth home
        Assert.Equal("rt-unknown", textAt after [ "providers"; "xai-oauth"; "tokens"; "refresh_token" ])
        Assert.Equal(expired, textAt after [ "providers"; "xai-oauth"; "tokens"; "access_token" ])
        Assert.Equal("xai_refresh_failed", textAt after [ "providers"; "xai-oauth"; "last_auth_error"; "code" ])
        Assert.Equal("exhausted", textAt (after.["credential_pool"].["xai-oauth"].AsArray() |> Seq.exactlyOne) [ "last_status" ])
        let requests = fake.Requests.Length
        let! again = (manager ctx).ResolveAsync CancellationToken.None
        Assert.Equal("xai_auth_missing", AuthError.code (leftOf again))
        Assert.Equal(requests, fake.Requests.Length)
    }

[<Fact>]
let ``the credential chain is runtime, then sign-in, then pool, then XAI_API_KEY`` () =
    use fake = new FakeXaiAccounts()
    use home = new TestHome()
    let env = [ "XAI_API_KEY", "xai-env-key" ]
    let ctx = home.OAuthContext(fake.DiscoveryUrl, fake.Policy, env)
    Assert.Equal(XaiCredentialSource.ApiKey, (credential (manager ctx)).Source)
    let manualAccess, manualRefresh = fake.Seed(now () + 3600L)
    store ctx fake manualAccess manualRefresh false
    Assert.Equal((XaiCredentialSource.Pool, manualAccess), (let c = credential (manager ctx) in c.Source, c.Token))
    let access, refresh = fake.Seed(now () + 3600L)
    store ctx fake access refresh true
    Assert.Equal((XaiCredentialSource.SignIn, access), (let c = credential (manager ctx) in c.Source, c.Token))

    let runtime =
        HermesContext(ctx.Environment, ctx.Config, xai = XaiOptions(ctx.Xai.EndpointPolicy, ctx.Xai.DiscoveryUrl, "runtime-token"))

    Assert.Equal((XaiCredentialSource.Runtime, "runtime-token"), (let c = credential (manager runtime) in c.Source, c.Token))

[<Fact>]
let ``an OAuth bearer is never sent to a base URL outside x.ai`` () =
    use home = new TestHome()
    let warnings = Collections.Generic.List<string>()
    let ctx = home.Context([ "XAI_BASE_URL", "https://proxy.example.com/v1" ])
    let m = manager ctx

    let oauth =
        XaiCredential("t", XaiCredentialSource.SignIn, XaiOAuthEntry("singleton", XaiOAuthEntry.SingletonSource, "", "t", "r", "", ""))

    Assert.Equal("https://api.x.ai/v1", m.BaseUrlFor(oauth, Action<string> warnings.Add))
    Assert.Contains("proxy.example.com", Assert.Single warnings)

    Assert.Equal(
        "https://proxy.example.com/v1",
        m.BaseUrlFor(XaiCredential("k", XaiCredentialSource.ApiKey, null), Action<string> warnings.Add)
    )

/// A fake xAI images API that accepts only bearers for which `accepts` holds.
let imagesApi (accepts: string -> bool) =
    new LoopbackServer(fun request ctx ->
        let bearer =
            request.Header "Authorization" |> Option.map (fun h -> h.Replace("Bearer ", ""))

        if bearer |> Option.exists accepts then
            Reply.json 200 (b64Response (png 8)) request ctx
        else
            Reply.json 401 """{"error":"Incorrect API key provided"}""" request ctx)

/// A stored sign-in (singleton or manual) whose bearer goes to `api`; returns the context and its access token.
let signedInAgainst (fake: FakeXaiAccounts) (home: TestHome) (api: LoopbackServer) (asSingleton: bool) =
    let policy =
        {
            TrustedOrigins = [ fake.Issuer; api.BaseUrl ]
        }

    let ctx =
        home.OAuthContext(fake.DiscoveryUrl, policy, [ "XAI_BASE_URL", api.Url "/v1" ])

    let access, refresh = fake.Seed(now () + 3600L)
    store ctx fake access refresh asSingleton
    ctx, access

let generateFox (ctx: HermesContext) =
    XaiImageProvider(ctx).GenerateAsync("fox", AspectRatio.Square, GenerateOptions.Default, CancellationToken.None)

[<Fact>]
let ``a 401 with a sign-in token refreshes once, swaps the key and retries once`` () =
    task {
        use fake = new FakeXaiAccounts()
        use home = new TestHome()
        use api = imagesApi fake.Issued
        let ctx, access = signedInAgainst fake home api true
        let! result = generateFox ctx
        ignore (success result)
        Assert.Equal(1, fake.Refreshes)
        Assert.Equal(2, api.Requests.Length)
        Assert.Equal(Some("Bearer " + access), api.Requests.Head.Header "Authorization")
        Assert.NotEqual(Some("Bearer " + access), (List.last api.Requests).Header "Authorization")
    }

[<Fact>]
let ``a second 401 after the refresh is an auth error, not a loop`` () =
    task {
        use fake = new FakeXaiAccounts()
        use home = new TestHome()
        use api = imagesApi (fun _ -> false)
        let ctx, _ = signedInAgainst fake home api true
        let! result = generateFox ctx
        let failed = failure result
        Assert.Equal("auth", failed.ErrorType)
        Assert.Equal(Nullable 401, failed.Error.HttpStatus)
        Assert.Equal(1, fake.Refreshes)
        Assert.Equal(2, api.Requests.Length)
    }

[<Fact>]
let ``a 401 with XAI_API_KEY is reported without any refresh`` () =
    task {
        use fake = new FakeXaiAccounts()
        use home = new TestHome()
        use api = imagesApi (fun _ -> false)

        let ctx =
            home.OAuthContext(fake.DiscoveryUrl, fake.Policy, [ "XAI_BASE_URL", api.Url "/v1"; "XAI_API_KEY", "xai-wrong" ])

        let! result = generateFox ctx
        Assert.Equal("xAI returned HTTP 401: Incorrect API key provided", (failure result).Error.Message)
        Assert.Equal(1, api.Requests.Length)
        Assert.Empty(fake.Requests)
    }

[<Fact>]
let ``a 401 with a manual pool key refreshes that entry, never the singleton's account`` () =
    task {
        use fake = new FakeXaiAccounts()
        use home = new TestHome()
        use api = imagesApi fake.Issued
        let ctx, _ = signedInAgainst fake home api false
        let! result = generateFox ctx
        ignore (success result)
        Assert.Null((auth home).["providers"].["xai-oauth"])
        Assert.Equal(1, fake.Refreshes)
    }

let testAssembly = typeof<FakeXaiAccounts>.Assembly.Location

let worker (args: string list) =
    let info =
        ProcessStartInfo(
            "dotnet",
            [ "exec"; testAssembly ] @ args,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false
        )

    Process.Start info

[<Fact>]
let ``kill -9 during writes always leaves a whole auth.json`` () =
    task {
        use home = new TestHome()
        let random = Random 7

        for round in 1..6 do
            use w = worker [ "write-worker"; home.Path ]
            // Killed only once writing is under way, however slow the machine is to start the worker.
            let! started = w.StandardOutput.ReadLineAsync()
            Assert.Equal("writing", started)
            do! Task.Delay(10 + random.Next 200)
            w.Kill()
            do! w.WaitForExitAsync()
            let text = File.ReadAllText home.AuthPath
            let root = JsonNode.Parse text
            Assert.True(root.["generation"].GetValue<int>() > 0, sprintf "round %d: no generation" round)
            Assert.Equal(256 * 1024, (textAt root [ "padding" ]).Length)
            Assert.Equal(UnixFileMode.UserRead ||| UnixFileMode.UserWrite, File.GetUnixFileMode(home.AuthPath))
    }

/// Separate processes racing on one auth.json through the real lock and the fake's single-use refresh tokens.
type MultiProcessTests(output: Xunit.Abstractions.ITestOutputHelper) =

    [<Fact>]
    member _.``8 processes x 50 rotations never lose or reuse a refresh token``() =
        task {
            use fake = new FakeXaiAccounts()
            use home = new TestHome()
            let ctx = home.OAuthContext(fake.DiscoveryUrl, fake.Policy, [])
            let access, refresh = fake.Seed(now () + 3600L)
            store ctx fake access refresh true
            let clock = Stopwatch.StartNew()

            let workers =
                [
                    for _ in 1..8 -> worker [ "refresh-worker"; home.Path; fake.DiscoveryUrl; fake.Issuer; "50" ]
                ]

            let finished (w: Process) =
                task {
                    let! out = w.StandardOutput.ReadToEndAsync()
                    let! err = w.StandardError.ReadToEndAsync()
                    do! w.WaitForExitAsync()
                    return w.ExitCode, out + err
                }

            let! outputs = Task.WhenAll [ for w in workers -> finished w ]

            for code, text in outputs do
                Assert.True((code = 0), text)
                Assert.StartsWith("rotated=50 ", text)

            let adopted =
                outputs |> Array.sumBy (fun (_, o) -> int (o.Trim().Split("adopted=")[1]))

            let root = auth home
            Assert.Equal(400, fake.Refreshes)
            Assert.Empty(fake.ReusedTokens)
            Assert.Equal(fake.LastIssuedRefreshToken, textAt root [ "providers"; "xai-oauth"; "tokens"; "refresh_token" ])

            Assert.Equal(
                fake.LastIssuedRefreshToken,
                textAt (root.["credential_pool"].["xai-oauth"].AsArray() |> Seq.exactlyOne) [ "refresh_token" ]
            )

            output.WriteLine(
                sprintf
                    "8 processes x 50: rotations=%d adopted=%d reused=%d seconds=%.2f"
                    fake.Refreshes
                    adopted
                    fake.ReusedTokens.Length
                    clock.Elapsed.TotalSeconds
            )
        }

/// Writes auth.json as the reference would, with a singleton whose tokens are exactly these.
let writeSingleton (home: TestHome) (tokens: (string * string) list) =
    let tokenNode = JsonObject()

    for key, value in tokens do
        tokenNode[key] <- value

    let root =
        JsonObject(
            [
                Collections.Generic.KeyValuePair("version", JsonValue.Create 1 :> JsonNode)
                Collections.Generic.KeyValuePair(
                    "providers",
                    JsonObject(
                        [
                            Collections.Generic.KeyValuePair(
                                "xai-oauth",
                                JsonObject([ Collections.Generic.KeyValuePair("tokens", tokenNode :> JsonNode) ]) :> JsonNode
                            )
                        ]
                    )
                    :> JsonNode
                )
            ]
        )

    File.WriteAllText(home.AuthPath, root.ToJsonString())

let staleTokenForbidden =
    """{"code":"unauthenticated:bad-credentials","error":"The OAuth2 access token could not be validated."}"""

/// A fake xAI images API: 200 for bearers `accepts` holds, else the stale-token 403 xAI sends.
let forbiddingApi (accepts: string -> bool) =
    new LoopbackServer(fun request ctx ->
        let bearer =
            request.Header "Authorization" |> Option.map (fun h -> h.Replace("Bearer ", ""))

        if bearer |> Option.exists accepts then
            Reply.json 200 (b64Response (png 8)) request ctx
        else
            Reply.json 403 staleTokenForbidden request ctx)

let post (url: string) (bearer: string) =
    task {
        use client = new Net.Http.HttpClient()
        use request = new Net.Http.HttpRequestMessage(Net.Http.HttpMethod.Post, url)
        request.Headers.Authorization <- Net.Http.Headers.AuthenticationHeaderValue("Bearer", bearer)
        request.Content <- new Net.Http.StringContent("""{"model":"grok-imagine-image","prompt":"fox"}""")
        let! response = client.SendAsync request
        let! body = response.Content.ReadAsStringAsync()
        return int response.StatusCode, body
    }

[<Fact>]
let ``test_stale_token_403_opens_the_refresh_gate: a 403 unauthenticated:bad-credentials refreshes once and the retry succeeds`` () =
    task {
        use fake = new FakeXaiAccounts()
        use home = new TestHome()
        use api = forbiddingApi fake.Issued
        let ctx, access = signedInAgainst fake home api true
        let m = manager ctx
        let used = resolvedOf (m.ResolveAsync(CancellationToken.None).Result)
        Assert.Equal(access, used.Token)
        let endpoint = m.BaseUrlFor(used, ignore) + "/images/generations"
        let! status, body = post endpoint used.Token
        Assert.Equal(403, status)
        Assert.True(XaiTokenManager.OpensRefreshGate(used, status, body))
        let! next = m.RefreshOrFailoverAsync(used, CancellationToken.None)
        let fresh = rightOf next
        Assert.Equal(XaiCredentialSource.SignIn, fresh.Source)
        let! retried, _ = post endpoint fresh.Token
        Assert.Equal(200, retried)
        Assert.Equal(1, fake.Refreshes)
    }

[<Theory>]
[<InlineData(401, "")>]
[<InlineData(401, """{"error":"Incorrect API key provided"}""")>]
[<InlineData(403, """{"code":"unauthenticated:bad-credentials","error":"The OAuth2 access token could not be validated."}""")>]
[<InlineData(403, """{"code":"Unauthenticated:Bad-Credentials"}""")>]
let ``a 401 or a stale-token 403 to a sign-in token opens the refresh gate`` (status: int, body: string) =
    let signedIn =
        XaiCredential("t", XaiCredentialSource.SignIn, XaiOAuthEntry("singleton", XaiOAuthEntry.SingletonSource, "", "t", "r", "", ""))

    Assert.True(XaiTokenManager.OpensRefreshGate(signedIn, status, body))
    Assert.False(XaiTokenManager.OpensRefreshGate(XaiCredential("k", XaiCredentialSource.ApiKey, null), status, body))

[<Theory>]
[<InlineData(403, """{"code":"personal-team-blocked:spending-limit","error":"Your team has reached its monthly spending limit."}""")>]
[<InlineData(403, """{"code":"permission-denied","error":"This model is not available on your plan."}""")>]
[<InlineData(403, """{"error":"unauthenticated:bad-credentials"}""")>]
[<InlineData(403, "<html>Forbidden</html>")>]
[<InlineData(403, "")>]
[<InlineData(500, """{"code":"unauthenticated:bad-credentials"}""")>]
[<InlineData(429, "")>]
let ``spending-limit, entitlement and other answers do not open the refresh gate`` (status: int, body: string) =
    let signedIn =
        XaiCredential("t", XaiCredentialSource.SignIn, XaiOAuthEntry("singleton", XaiOAuthEntry.SingletonSource, "", "t", "r", "", ""))

    Assert.False(XaiTokenManager.OpensRefreshGate(signedIn, status, body))

[<Fact>]
let ``test_pool_refresh_marks_entry_exhausted_on_failure: a refused refresh retires the entry and the next pool entry, then XAI_API_KEY, is used``
    ()
    =
    task {
        use fake = new FakeXaiAccounts()
        use home = new TestHome()
        let logs = CapturedLogs()

        let ctx =
            home.OAuthContext(fake.DiscoveryUrl, fake.Policy, [ "XAI_API_KEY", "xai-env-key" ], logs)

        let live = FakeXaiAccounts.Jwt(sprintf """{"exp":%d}""" (now () + 3600L))
        store ctx fake live "rt-revoked" true

        let manualAccess =
            FakeXaiAccounts.Jwt(sprintf """{"exp":%d,"n":2}""" (now () + 3600L))

        store ctx fake manualAccess "rt-revoked-too" false
        let m = manager ctx
        let signedIn = credential m
        Assert.Equal(XaiCredentialSource.SignIn, signedIn.Source)
        let! first = m.RefreshOrFailoverAsync(signedIn, CancellationToken.None)
        let pooled = rightOf first
        Assert.Equal((XaiCredentialSource.Pool, manualAccess), (pooled.Source, pooled.Token))
        let afterFirst = auth home
        Assert.Equal("xai_refresh_failed", textAt afterFirst [ "providers"; "xai-oauth"; "last_auth_error"; "code" ])
        Assert.Equal(live, textAt afterFirst [ "providers"; "xai-oauth"; "tokens"; "access_token" ])
        Assert.Contains(logs.Warnings, fun w -> w.Contains "xai_refresh_failed" && w.Contains "hermes auth add xai-oauth")
        let! second = m.RefreshOrFailoverAsync(pooled, CancellationToken.None)
        let key = rightOf second
        Assert.Equal((XaiCredentialSource.ApiKey, "xai-env-key"), (key.Source, key.Token))

        let statuses =
            (auth home).["credential_pool"].["xai-oauth"].AsArray()
            |> Seq.map (fun e -> textAt e [ "last_status" ])
            |> List.ofSeq

        Assert.Equal<string list>([ "exhausted"; "exhausted" ], statuses)
        Assert.Equal(XaiCredentialSource.ApiKey, (credential m).Source)
        Assert.Equal(XaiCredentialSource.ApiKey, (resolvedOf (m.ResolveAsync(CancellationToken.None).Result)).Source)
        Assert.Equal(0, fake.Refreshes)
    }

[<Fact>]
let ``an expiring sign-in whose refresh is refused fails over before use`` () =
    task {
        use fake = new FakeXaiAccounts()
        use home = new TestHome()
        let ctx = home.OAuthContext(fake.DiscoveryUrl, fake.Policy, [])
        store ctx fake (FakeXaiAccounts.Jwt(sprintf """{"exp":%d}""" (now () - 5L))) "rt-revoked" true
        let manualAccess, manualRefresh = fake.Seed(now () + 3600L)
        store ctx fake manualAccess manualRefresh false
        let! resolved = (manager ctx).ResolveAsync CancellationToken.None
        Assert.Equal((XaiCredentialSource.Pool, manualAccess), (let c = resolvedOf resolved in c.Source, c.Token))
    }

[<Fact>]
let ``test_resolve_credentials_does_not_quarantine_on_transient_refresh_failure: a refresh that fails in passing changes nothing`` () =
    task {
        use fake = new FakeXaiAccounts(AccountsMode.TokenServerError)
        use home = new TestHome()

        let ctx =
            home.OAuthContext(fake.DiscoveryUrl, fake.Policy, [ "XAI_API_KEY", "xai-env-key" ])

        store ctx fake (FakeXaiAccounts.Jwt(sprintf """{"exp":%d}""" (now () - 5L))) "rt-fine" true
        let before = File.ReadAllText home.AuthPath
        let! outcome = (manager ctx).ResolveAsync CancellationToken.None
        let e = leftOf outcome
        Assert.Equal("xai_refresh_failed", AuthError.code e)
        Assert.False(AuthError.reloginRequired e)
        Assert.Equal(before, File.ReadAllText home.AuthPath)
    }

[<Theory>]
[<InlineData("access_token", "refresh_token")>]
[<InlineData("refresh_token", "access_token")>]
let ``xai_auth_missing_*_token: a stored sign-in missing a token is relogin required naming auth add, not "no credentials"``
    (missing: string, present: string)
    =
    task {
        use home = new TestHome()
        writeSingleton home [ present, "value"; missing, "" ]
        let! outcome = (manager (home.Context [])).ResolveAsync CancellationToken.None
        let e = leftOf outcome
        Assert.Equal("xai_auth_missing_" + missing, AuthError.code e)
        Assert.True(AuthError.reloginRequired e)
        Assert.Contains("hermes auth add xai-oauth", AuthError.message e)
    }

[<Fact>]
let ``a broken sign-in does not hide XAI_API_KEY, and says what fixes it`` () =
    task {
        use home = new TestHome()
        let logs = CapturedLogs()
        writeSingleton home [ "refresh_token", "rt" ]
        let! outcome = (manager (home.Context([ "XAI_API_KEY", "xai-env-key" ], logs))).ResolveAsync CancellationToken.None
        Assert.Equal(XaiCredentialSource.ApiKey, (resolvedOf outcome).Source)
        Assert.Contains(logs.Warnings, fun w -> w.Contains "access_token" && w.Contains "hermes auth add xai-oauth")
    }

[<Fact>]
let ``no sign-in and no key is no credential, not an error`` () =
    task {
        use home = new TestHome()
        let! outcome = (manager (home.Context [])).ResolveAsync CancellationToken.None
        Assert.True((rightOf outcome).IsNone)
    }

let signedInCredential =
    XaiCredential("t", XaiCredentialSource.SignIn, XaiOAuthEntry("singleton", XaiOAuthEntry.SingletonSource, "", "t", "r", "", ""))

[<Fact>]
let ``test_resolve_xai_runtime_credentials_honours_env_base_url: HERMES_XAI_BASE_URL, then XAI_BASE_URL, moves the sign-in's API base`` () =
    use home = new TestHome()

    let both =
        manager (
            home.Context
                [
                    "HERMES_XAI_BASE_URL", "https://custom.x.ai/v1/"
                    "XAI_BASE_URL", "https://other.x.ai/v1"
                ]
        )

    Assert.Equal("https://custom.x.ai/v1", both.BaseUrlFor(signedInCredential, fun w -> failwith w))
    Assert.Equal("https://other.x.ai/v1", both.BaseUrlFor(XaiCredential("k", XaiCredentialSource.ApiKey, null), fun w -> failwith w))
    let xaiOnly = manager (home.Context [ "XAI_BASE_URL", "https://other.x.ai/v1/" ])
    Assert.Equal("https://other.x.ai/v1", xaiOnly.BaseUrlFor(signedInCredential, fun w -> failwith w))
    Assert.Equal("https://api.x.ai/v1", (manager (home.Context [])).BaseUrlFor(signedInCredential, fun w -> failwith w))

[<Theory>]
[<InlineData("https://attacker.example/v1")>]
[<InlineData("http://api.x.ai/v1")>]
[<InlineData("https://api.x.ai.evil.com/v1")>]
[<InlineData("file:///etc/passwd")>]
let ``test_resolve_xai_runtime_credentials_rejects_off_origin_env_base_url: a sign-in token never follows HERMES_XAI_BASE_URL off x.ai``
    (url: string)
    =
    use home = new TestHome()
    let warnings = Collections.Generic.List<string>()
    let m = manager (home.Context [ "HERMES_XAI_BASE_URL", url ])
    Assert.Equal("https://api.x.ai/v1", m.BaseUrlFor(signedInCredential, Action<string> warnings.Add))
    Assert.Contains("HERMES_XAI_BASE_URL", Assert.Single warnings)

[<Fact>]
let ``a new sign-in replaces a retired singleton instead of queueing behind it`` () =
    task {
        use fake = new FakeXaiAccounts()
        use home = new TestHome()
        let ctx = home.OAuthContext(fake.DiscoveryUrl, fake.Policy, [])
        store ctx fake (FakeXaiAccounts.Jwt(sprintf """{"exp":%d}""" (now () - 5L))) "rt-revoked" true
        let! refused = (manager ctx).ResolveAsync CancellationToken.None
        leftOf refused |> ignore
        let! signedIn, _ = Hermes.Tests.Auth.SignInTests.signIn fake home Hermes.Tests.Auth.SignInTests.followOnly
        let result = rightOf signedIn
        Assert.Equal(1, result.Number)
        Assert.True(result.Entry.IsSingleton)
        let after = auth home
        Assert.Null(after.["providers"].["xai-oauth"].["last_auth_error"])
        Assert.Null((after.["credential_pool"].["xai-oauth"].AsArray() |> Seq.exactlyOne).["last_status"])
        let! resolved = (manager ctx).ResolveAsync CancellationToken.None
        Assert.Equal(result.Entry.AccessToken, (resolvedOf resolved).Token)
    }
