module Hermes.Tests.Domain.OAuthTests

open Hermes.Domain
open Xunit

let policy = HostAllowlist.strict

[<Fact>]
let ``discovery with both xAI endpoints parses`` () =
    let body =
        """{"issuer":"https://auth.x.ai","authorization_endpoint":"https://auth.x.ai/oauth2/authorize","token_endpoint":"https://auth.x.ai/oauth2/token"}"""

    Assert.Equal(
        Ok
            {
                AuthorizationEndpoint = "https://auth.x.ai/oauth2/authorize"
                TokenEndpoint = "https://auth.x.ai/oauth2/token"
            },
        XaiOAuth.parseDiscovery policy 200 body
    )

[<Fact>]
let ``discovery errors are typed`` () =
    let codeOf =
        function
        | Ok _ -> "ok"
        | Error e -> AuthError.code e

    Assert.Equal("xai_discovery_failed", codeOf (XaiOAuth.parseDiscovery policy 503 "down"))
    Assert.Equal("xai_discovery_invalid_json", codeOf (XaiOAuth.parseDiscovery policy 200 "<html>captive portal</html>"))
    Assert.Equal("xai_discovery_incomplete", codeOf (XaiOAuth.parseDiscovery policy 200 """["not","an","object"]"""))

    Assert.Equal(
        "xai_discovery_incomplete",
        codeOf (XaiOAuth.parseDiscovery policy 200 """{"authorization_endpoint":"https://auth.x.ai/a"}""")
    )

    Assert.Equal(
        "xai_discovery_invalid",
        codeOf (
            XaiOAuth.parseDiscovery
                policy
                200
                """{"authorization_endpoint":"https://auth.x.ai/a","token_endpoint":"https://evil.example.com/token"}"""
        )
    )

    Assert.Equal(
        "xai_discovery_invalid",
        codeOf (
            XaiOAuth.parseDiscovery
                policy
                200
                """{"authorization_endpoint":"https://evil.example.com/a","token_endpoint":"https://auth.x.ai/token"}"""
        )
    )

[<Fact>]
let ``refresh responses: rotation, kept refresh token, typed errors`` () =
    let parse status body =
        XaiOAuth.parseTokens AuthStep.Refresh (Some "rt-old") status body

    match
        parse 200 """{"access_token":"at-2","refresh_token":"rt-rotated","id_token":"id-1","expires_in":3600,"token_type":"Bearer"}"""
    with
    | Ok t ->
        Assert.Equal("at-2", t.AccessToken)
        Assert.Equal("rt-rotated", t.RefreshToken)
        Assert.Equal("id-1", t.IdToken)
        Assert.Equal(Some 3600L, t.ExpiresIn)
    | Error e -> failwith (AuthError.message e)

    Assert.Equal(
        Ok "rt-old",
        parse 200 """{"access_token":"at-2","expires_in":"3600"}"""
        |> Result.map _.RefreshToken
    )

    let failure status body =
        match parse status body with
        | Error e -> AuthError.code e, AuthError.reloginRequired e
        | Ok _ -> "ok", false

    Assert.Equal(("xai_refresh_failed", true), failure 400 """{"error":"invalid_grant"}""")
    Assert.Equal(("xai_refresh_failed", false), failure 503 "service unavailable")
    Assert.Equal(("xai_refresh_missing_access_token", true), failure 200 """{"refresh_token":"rt-new"}""")
    Assert.Equal(("xai_refresh_invalid_json", false), failure 200 "<html>captive portal</html>")

[<Fact>]
let ``a code exchange without a refresh token is refused`` () =
    match XaiOAuth.parseTokens AuthStep.TokenExchange None 200 """{"access_token":"at"}""" with
    | Error e -> Assert.Equal("xai_token_exchange_missing_refresh_token", AuthError.code e)
    | Ok _ -> failwith "accepted"

[<Fact>]
let ``every auth error has a code and a one-line message`` () =
    let errors =
        [
            AuthError.HttpStatus(AuthStep.Refresh, 400, "invalid_grant")
            AuthError.MalformedJson AuthStep.TokenExchange
            AuthError.NotAnObject AuthStep.Refresh
            AuthError.MissingField(AuthStep.Store, "refresh_token")
            AuthError.StateMismatch
            AuthError.HostileEndpoint
                {
                    Url = "https://evil"
                    Reason = "host"
                }
            AuthError.Timeout AuthStep.Callback
            AuthError.UserDenied("access_denied", "")
            AuthError.RedirectInvalid
                {
                    Field = "redirect URI"
                    Value = "x"
                    Allowed = [ "y" ]
                }
            AuthError.Network(AuthStep.Discovery, "refused")
            AuthError.NotSignedIn
            AuthError.StoreCorrupt "bad"
            AuthError.LockTimeout "/tmp/auth.json.lock"
        ]

    for e in errors do
        Assert.StartsWith("xai_", AuthError.code e)
        Assert.DoesNotContain("\n", AuthError.message e)

    Assert.Equal("xai_auth_missing_refresh_token", AuthError.code (AuthError.MissingField(AuthStep.Store, "refresh_token")))
    Assert.True(AuthError.reloginRequired (AuthError.MissingField(AuthStep.Store, "refresh_token")))
