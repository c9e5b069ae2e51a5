module Hermes.Tests.Auth.SignInTests

open System
open System.IO
open System.Net
open System.Net.Http
open System.Text.Json.Nodes
open System.Threading
open System.Threading.Tasks
open Xunit
open Hermes.Domain
open Hermes.Providers.Auth
open Hermes.Tests.Support
open Hermes.Tests.Support.Fakes
open Hermes.Tests.Support.EitherExpect

let browser () =
    new HttpClient(new HttpClientHandler(AllowAutoRedirect = false, UseProxy = false))

/// Follows the authorize redirect back to the loopback callback, as a browser would.
let follow (origin: string option) (url: string) =
    task {
        use client = browser ()
        let! authorize = client.GetAsync url
        Assert.Equal(HttpStatusCode.Found, authorize.StatusCode)
        use request = new HttpRequestMessage(HttpMethod.Get, authorize.Headers.Location)
        origin |> Option.iter (fun o -> request.Headers.Add("Origin", o))
        let! callback = client.SendAsync request
        let! page = callback.Content.ReadAsStringAsync()
        return callback.StatusCode, page
    }

let signIn (fake: FakeXaiAccounts) (home: TestHome) (browse: string -> Task) =
    task {
        let shown =
            TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously)

        let ctx = home.OAuthContext(fake.DiscoveryUrl, fake.Policy, [])

        let options =
            SignInOptions(ShowUrl = (fun url -> shown.TrySetResult url |> ignore), PreferredPort = 0, Timeout = TimeSpan.FromSeconds 10.0)

        let running = XaiSignIn(ctx).SignInAsync(options, CancellationToken.None)
        let! _ = Task.WhenAny(shown.Task, Task.Delay 10000)
        Assert.True(shown.Task.IsCompleted, "the sign-in URL was never shown")
        do! browse shown.Task.Result
        let! outcome = running
        return outcome, shown.Task.Result
    }

let authJson (home: TestHome) =
    JsonNode.Parse(File.ReadAllText home.AuthPath)

[<Fact>]
let ``a full PKCE loopback sign-in stores the tokens in auth.json, mode 0600`` () =
    task {
        use fake = new FakeXaiAccounts()
        use home = new TestHome()
        let mutable page = ""

        let! outcome, url =
            signIn fake home (fun url ->
                task {
                    let! status, body = follow None url
                    Assert.Equal(HttpStatusCode.OK, status)
                    page <- body
                }
                :> Task)

        let result = rightOf outcome
        Assert.Equal(1, result.Number)
        Assert.True(result.Entry.IsSingleton)

        Assert.Contains("Signed in to xAI", page)
        let query = Uri(url).Query
        Assert.Contains("plan=generic", query)
        Assert.Contains("referrer=hermes-agent", query)
        Assert.Contains("code_challenge_method=S256", query)
        let root = authJson home
        let state = root["providers"]["xai-oauth"]
        Assert.Equal(fake.LastIssuedRefreshToken, textAt (state) [ "tokens"; "refresh_token" ])
        Assert.Equal("loopback_pkce", textAt (state) [ "auth_mode" ])
        Assert.Equal(fake.TokenEndpoint, textAt (state) [ "discovery"; "token_endpoint" ])
        Assert.Equal("xai-oauth", textAt (root) [ "active_provider" ])
        let pool = root.["credential_pool"].["xai-oauth"].AsArray()
        Assert.Equal("loopback_pkce", textAt ((Assert.Single pool)) [ "source" ])
        Assert.Equal(UnixFileMode.UserRead ||| UnixFileMode.UserWrite, File.GetUnixFileMode(home.AuthPath))
    }

[<Fact>]
let ``a second sign-in becomes a numbered manual entry and keeps the first`` () =
    task {
        use fake = new FakeXaiAccounts()
        use home = new TestHome()

        let browse url =
            task {
                let! _ = follow None url
                ()
            }
            :> Task

        let! _ = signIn fake home browse

        let first =
            textAt ((authJson home)) [ "providers"; "xai-oauth"; "tokens"; "refresh_token" ]

        let! second, _ = signIn fake home browse

        let result = rightOf second
        Assert.Equal(2, result.Number)
        Assert.Equal(XaiOAuthEntry.ManualSource, result.Entry.Source)

        Assert.Equal(first, textAt ((authJson home)) [ "providers"; "xai-oauth"; "tokens"; "refresh_token" ])
    }

let expectAuthError (code: string) (outcome: LanguageExt.Either<AuthError, SignInResult>) =
    Assert.Equal(code, AuthError.code (leftOf outcome))

[<Fact>]
let ``the user saying no is a typed denial and nothing is stored`` () =
    task {
        use fake = new FakeXaiAccounts(AccountsMode.Deny)
        use home = new TestHome()
        let mutable page = ""

        let! outcome, _ =
            signIn fake home (fun url ->
                task {
                    let! _, body = follow None url
                    page <- body
                }
                :> Task)

        expectAuthError "xai_authorization_denied" outcome
        Assert.Contains("sign-in failed", page)
        Assert.False(File.Exists home.AuthPath)
    }

/// Goes through the browser step and ignores the page.
let followOnly (url: string) =
    task {
        let! _ = follow None url
        ()
    }
    :> Task

let modes =
    Map
        [
            "WrongNonce", AccountsMode.WrongNonce
            "TokenHtml", AccountsMode.TokenHtml
            "TokenServerError", AccountsMode.TokenServerError
        ]

[<Theory>]
[<InlineData("WrongNonce", "xai_nonce_mismatch")>]
[<InlineData("TokenHtml", "xai_token_exchange_invalid_json")>]
[<InlineData("TokenServerError", "xai_token_exchange_failed")>]
let ``a foreign nonce or a broken token endpoint is a typed error and nothing is stored`` (mode: string, code: string) =
    task {
        use fake = new FakeXaiAccounts(modes[mode])
        use home = new TestHome()
        let! outcome, _ = signIn fake home followOnly
        expectAuthError code outcome
        Assert.False(File.Exists home.AuthPath)
    }

[<Fact>]
let ``no browser coming back is a clean timeout`` () =
    task {
        use fake = new FakeXaiAccounts()
        use home = new TestHome()
        let ctx = home.OAuthContext(fake.DiscoveryUrl, fake.Policy, [])

        let! outcome =
            XaiSignIn(ctx).SignInAsync(SignInOptions(PreferredPort = 0, Timeout = TimeSpan.FromMilliseconds 300.0), CancellationToken.None)

        expectAuthError "xai_callback_timeout" outcome
    }

[<Fact>]
let ``the callback answers CORS only for xAI origins and refuses others`` () =
    task {
        use fake = new FakeXaiAccounts()
        use home = new TestHome()

        let checks (url: string) =
            task {
                use client = browser ()
                let! authorize = client.GetAsync url
                let callback = authorize.Headers.Location

                let preflight (origin: string) =
                    task {
                        use request = new HttpRequestMessage(HttpMethod.Options, callback)
                        request.Headers.Add("Origin", origin)
                        request.Headers.Add("Access-Control-Request-Method", "GET")
                        return! client.SendAsync request
                    }

                let! good = preflight "https://accounts.x.ai"
                Assert.Equal(HttpStatusCode.NoContent, good.StatusCode)
                Assert.Equal("https://accounts.x.ai", Seq.head (good.Headers.GetValues "Access-Control-Allow-Origin"))
                let! evil = preflight "https://attacker.example.com"
                Assert.Equal(HttpStatusCode.Forbidden, evil.StatusCode)
                Assert.False(evil.Headers.Contains "Access-Control-Allow-Origin")
                use hostile = new HttpRequestMessage(HttpMethod.Get, callback)
                hostile.Headers.Add("Origin", "https://x.ai.evil.com")
                let! refused = client.SendAsync hostile
                Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode)
                let! bare = client.GetAsync(Uri(callback, "/callback"))
                Assert.Equal(HttpStatusCode.BadRequest, bare.StatusCode)
                let! elsewhere = client.GetAsync(Uri(callback, "/favicon.ico"))
                Assert.Equal(HttpStatusCode.NotFound, elsewhere.StatusCode)
                use fromXai = new HttpRequestMessage(HttpMethod.Get, callback)
                fromXai.Headers.Add("Origin", "https://auth.x.ai")
                let! accepted = client.SendAsync fromXai
                Assert.Equal(HttpStatusCode.OK, accepted.StatusCode)
                Assert.Equal("https://auth.x.ai", Seq.head (accepted.Headers.GetValues "Access-Control-Allow-Origin"))
            }
            :> Task

        let! outcome, _ = signIn fake home checks
        rightOf outcome |> ignore
    }

[<Theory>]
[<InlineData("HostileTokenEndpoint", "xai_discovery_invalid")>]
[<InlineData("DiscoveryHtml", "xai_discovery_invalid_json")>]
let ``hostile or malformed discovery stops sign-in before any browser step`` (mode: string, code: string) =
    task {
        let mode =
            if mode = "DiscoveryHtml" then
                AccountsMode.DiscoveryHtml
            else
                AccountsMode.HostileTokenEndpoint

        use fake = new FakeXaiAccounts(mode)
        use home = new TestHome()
        let mutable shown = false
        let ctx = home.OAuthContext(fake.DiscoveryUrl, fake.Policy, [])

        let! outcome =
            XaiSignIn(ctx).SignInAsync(SignInOptions(ShowUrl = (fun _ -> shown <- true), PreferredPort = 0), CancellationToken.None)

        expectAuthError code outcome
        Assert.False shown
    }

[<Fact>]
let ``the real discovery URL is refused when the policy does not trust it`` () =
    task {
        use fake = new FakeXaiAccounts()
        use home = new TestHome()
        let ctx = home.OAuthContext(fake.DiscoveryUrl, HostAllowlist.strict, [])
        let! outcome = XaiSignIn(ctx).SignInAsync(SignInOptions(PreferredPort = 0), CancellationToken.None)
        expectAuthError "xai_discovery_invalid" outcome
        Assert.Empty(fake.Requests)
    }

/// The loopback redirect URI and the state of a shown authorize URL.
let callbackOf (authorizeUrl: string) =
    let query =
        match OAuthCallback.parseQuery (Uri(authorizeUrl).Query) with
        | Ok q -> q
        | Error e -> failwith e

    query["redirect_uri"], query["state"]

let get (url: string) =
    task {
        use client = browser ()
        let! response = client.GetAsync url
        let! page = response.Content.ReadAsStringAsync()
        return response.StatusCode, page
    }

/// Starts a sign-in and hands its authorize URL to `act` while it waits.
let pending (fake: FakeXaiAccounts) (home: TestHome) (timeout: TimeSpan) (pasted: IO.TextReader) =
    let shown =
        TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously)

    let notices = Collections.Concurrent.ConcurrentQueue<string>()

    let options =
        SignInOptions(
            ShowUrl = (fun url -> shown.TrySetResult url |> ignore),
            ShowNotice = (fun n -> notices.Enqueue n),
            PreferredPort = 0,
            Timeout = timeout
        )

    let running =
        XaiSignIn(home.OAuthContext(fake.DiscoveryUrl, fake.Policy, [])).SignInAsync(options, pasted, CancellationToken.None)

    shown.Task.Wait(TimeSpan.FromSeconds 10.0) |> ignore
    Assert.True(shown.Task.IsCompleted, "the sign-in URL was never shown")
    running, shown.Task.Result, notices

[<Fact>]
let ``a page hitting /callback?error=access_denied without state does not end auth add; with the right state it does`` () =
    task {
        use fake = new FakeXaiAccounts()
        use home = new TestHome()

        let running, url, _ =
            pending fake home (TimeSpan.FromSeconds 20.0) IO.TextReader.Null

        let redirect, state = callbackOf url
        let! status, page = get (redirect + "?error=access_denied&error_description=gotcha")
        Assert.Equal(HttpStatusCode.BadRequest, status)
        Assert.DoesNotContain("gotcha", page)
        let! forged, _ = get (redirect + "?error=access_denied&state=forged")
        Assert.Equal(HttpStatusCode.BadRequest, forged)
        do! Task.Delay 300
        Assert.False(running.IsCompleted, "a request without this sign-in's state ended it")
        let! denied, _ = get (redirect + "?error=access_denied&state=" + Uri.EscapeDataString state)
        Assert.Equal(HttpStatusCode.BadRequest, denied)
        let! outcome = running
        expectAuthError "xai_authorization_denied" outcome
        Assert.False(File.Exists home.AuthPath)
    }

[<Fact>]
let ``a forged state is answered 400 and ignored until the sign-in times out`` () =
    task {
        use fake = new FakeXaiAccounts(AccountsMode.WrongState)
        use home = new TestHome()

        let running, url, _ =
            pending fake home (TimeSpan.FromSeconds 1.5) IO.TextReader.Null

        let! status, _ = follow None url
        Assert.Equal(HttpStatusCode.BadRequest, status)
        let! outcome = running
        expectAuthError "xai_callback_timeout" outcome
        Assert.False(File.Exists home.AuthPath)
    }

[<Fact>]
let ``a denial's description is stripped of terminal escapes before it reaches the message`` () =
    task {
        use fake = new FakeXaiAccounts()
        use home = new TestHome()

        let running, url, _ =
            pending fake home (TimeSpan.FromSeconds 20.0) IO.TextReader.Null

        let redirect, state = callbackOf url

        let hostile =
            Uri.EscapeDataString("\u001b]0;pwned\u0007\u001b[2Jno <script>" + String('x', 2000))

        let! status, page =
            get (sprintf "%s?error=access_denied&error_description=%s&state=%s" redirect hostile (Uri.EscapeDataString state))

        Assert.Equal(HttpStatusCode.BadRequest, status)
        Assert.DoesNotContain("<script>", page)
        let! outcome = running
        let error = leftOf outcome
        let message = AuthError.message error
        Assert.False(message |> String.exists (fun c -> c = '\u001b' || c = '\u0007'), message)
        Assert.Contains("no <script>", message)
        Assert.True(message.Length < 400, message)
    }

/// Sends raw bytes on a fresh connection and returns whatever comes back (nothing when the server hangs up).
let raw (redirect: string) (request: byte[]) =
    task {
        let uri = Uri redirect
        use client = new Sockets.TcpClient()
        do! client.ConnectAsync(uri.Host, uri.Port)
        use stream = client.GetStream()

        try
            do! stream.WriteAsync(request, 0, request.Length)
            use reader = new StreamReader(stream)
            let! answer = reader.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds 10.0)
            return answer
        with
        | :? IOException
        | :? Sockets.SocketException -> return ""
    }

[<Fact>]
let ``hostile headers, huge queries and floods are answered and ignored, and the real callback still ends the sign-in`` () =
    task {
        use fake = new FakeXaiAccounts()
        use home = new TestHome()

        let running, url, _ =
            pending fake home (TimeSpan.FromSeconds 60.0) IO.TextReader.Null

        let redirect, state = callbackOf url
        let path = Uri(redirect).PathAndQuery

        let bigHeader =
            Text.Encoding.ASCII.GetBytes(
                sprintf "GET %s?code=x&state=%s HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Junk: %s\r\n\r\n" path state (String('a', 1024 * 1024))
            )

        let! _ = raw redirect bigHeader

        let garbage =
            Text.Encoding.ASCII.GetBytes "GET /callback?state=\u0001\u0002 HTTP/1.1\r\nHost: \u0000evil\r\nOrigin: \r\n\r\n"

        let! _ = raw redirect garbage
        let! huge, _ = get (sprintf "%s?code=stolen&state=%s&pad=%s" redirect (Uri.EscapeDataString state) (String('p', 20000)))
        Assert.True(huge = HttpStatusCode.RequestUriTooLong || huge = HttpStatusCode.BadRequest, string huge)
        let! flood = Task.WhenAll [ for i in 1..300 -> get (sprintf "%s?code=c%d&state=forged%d" redirect i i) ]
        Assert.All(flood, fun (status, _) -> Assert.Equal(HttpStatusCode.BadRequest, status))
        Assert.False(running.IsCompleted, "a hostile request ended the sign-in")
        let! status, _ = follow None url
        Assert.Equal(HttpStatusCode.OK, status)
        let! outcome = running
        Assert.True((rightOf outcome).Entry.IsSingleton)
    }

/// The loopback redirect xAI would send the browser to, without sending it there.
let authorizeRedirect (url: string) =
    task {
        use client = browser ()
        let! authorize = client.GetAsync url
        Assert.Equal(HttpStatusCode.Found, authorize.StatusCode)
        return string authorize.Headers.Location
    }

[<Fact>]
let ``a headless sign-in takes the pasted redirect URL, checking its state exactly as the loopback does`` () =
    task {
        use fake = new FakeXaiAccounts()
        use home = new TestHome()
        use pasted = new PastedLines()
        let running, url, notices = pending fake home (TimeSpan.FromSeconds 20.0) pasted
        let! redirect = authorizeRedirect url
        let _, state = callbackOf url
        pasted.Paste(redirect.Replace(Uri.EscapeDataString state, "forged"))
        pasted.Paste "http://127.0.0.1:1/callback?error=access_denied"
        do! Task.Delay 300
        Assert.False(running.IsCompleted, "a pasted URL without this sign-in's state ended it")
        Assert.Equal(2, notices.Count)
        pasted.Paste redirect
        let! outcome = running
        let signedIn = rightOf outcome
        Assert.Equal(1, signedIn.Number)
        Assert.Equal(fake.LastIssuedRefreshToken, textAt (authJson home) [ "providers"; "xai-oauth"; "tokens"; "refresh_token" ])
    }

[<Fact>]
let ``a headless sign-in takes the bare code xAI shows on its page`` () =
    task {
        use fake = new FakeXaiAccounts()
        use home = new TestHome()
        use pasted = new PastedLines()
        let running, url, _ = pending fake home (TimeSpan.FromSeconds 20.0) pasted
        let! redirect = authorizeRedirect url

        let code =
            match OAuthCallback.parseQuery (Uri(redirect).Query) with
            | Ok q -> q["code"]
            | Error e -> failwith e

        pasted.Paste("  " + code + "  ")
        let! outcome = running
        Assert.True((rightOf outcome).Entry.IsSingleton)
    }

[<Fact>]
let ``a headless sign-in still ends through the loopback when stdin is closed`` () =
    task {
        use fake = new FakeXaiAccounts()
        use home = new TestHome()
        use pasted = new PastedLines()
        pasted.EndOfInput()
        let running, url, _ = pending fake home (TimeSpan.FromSeconds 20.0) pasted
        let! status, _ = follow None url
        Assert.Equal(HttpStatusCode.OK, status)
        let! outcome = running
        Assert.True((rightOf outcome).Entry.IsSingleton)
    }
