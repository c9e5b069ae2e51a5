module Hermes.Tests.Domain.TokenTests

open System
open System.Text
open Xunit
open FsCheck.Xunit
open FsCheck
open FsCheck.FSharp
open Hermes.Domain

let b64url (text: string) =
    Convert.ToBase64String(Encoding.UTF8.GetBytes text).TrimEnd('=').Replace('+', '-').Replace('/', '_')

let jwt (claims: string) = "h." + b64url claims + ".s"
let jwtWithExp (exp: int64) = jwt (sprintf """{"exp":%d}""" exp)

let now = 1_800_000_000L

[<Fact>]
let ``expired, fresh and within-skew JWTs`` () =
    Assert.True(TokenExpiry.isExpiring now 0L (jwtWithExp (now - 60L)))
    Assert.False(TokenExpiry.isExpiring now 0L (jwtWithExp (now + 3600L)))
    Assert.True(TokenExpiry.isExpiring now 60L (jwtWithExp (now + 30L)))
    Assert.False(TokenExpiry.isExpiring now 0L (jwtWithExp (now + 30L)))

[<Theory>]
[<InlineData("not.a.jwt.but.has.dots")>]
[<InlineData("opaque-token-no-dots")>]
[<InlineData("")>]
[<InlineData(null)>]
[<InlineData("a.!!!.c")>]
let ``a token that is not a JWT is not treated as expiring`` (token: string) =
    Assert.False(TokenExpiry.isExpiring now 0L token)

[<Fact>]
let ``a JWT without exp is not treated as expiring`` () =
    Assert.False(TokenExpiry.isExpiring now 0L (jwt """{"sub":"user"}"""))
    Assert.False(TokenExpiry.isExpiring now 0L (jwt """["not","an","object"]"""))

[<Property>]
let ``expiring exactly when exp - now <= skew`` (exp: int64) (skew: uint16) =
    TokenExpiry.isExpiring now (int64 skew) (jwtWithExp exp) = (exp - now <= int64 skew)

[<Property>]
let ``expiry check is total over any string`` (token: string) (skew: int64) =
    TokenExpiry.isExpiring now skew token |> ignore
    true

[<Fact>]
let ``the ChatGPT account id is read from the OpenAI auth claim`` () =
    let token =
        jwt """{"https://api.openai.com/auth":{"chatgpt_account_id":"acct-42"},"exp":1}"""

    Assert.Equal(Some "acct-42", Jwt.tryString [ "https://api.openai.com/auth"; "chatgpt_account_id" ] token)
    Assert.Equal(None, Jwt.tryString [ "https://api.openai.com/auth"; "missing" ] token)

[<Fact>]
let ``PKCE S256 matches the RFC 7636 appendix B vector`` () =
    Assert.Equal("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", Pkce.challengeOf "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")

let randomBytes (min: int) (max: int) =
    Gen.choose (min, max)
    |> Gen.bind (fun n -> Gen.arrayOfLength n (Gen.choose (0, 255) |> Gen.map byte))

[<Property>]
let ``PKCE verifiers from 32 to 96 bytes are valid RFC 7636 verifiers`` () =
    Prop.forAll (Arb.fromGen (randomBytes 32 96)) (fun bytes ->
        match Pkce.fromBytes bytes with
        | Ok pair ->
            Pkce.isValidVerifier pair.Verifier
            && pair.Challenge = Pkce.challengeOf pair.Verifier
            && pair.Challenge.Length = 43
        | Error _ -> false)

[<Property>]
let ``too few or too many random bytes are refused`` () =
    Prop.forAll (Arb.fromGen (Gen.oneof [ randomBytes 0 31; randomBytes 97 200 ])) (fun bytes ->
        match Pkce.fromBytes bytes with
        | Error bad -> bad.Allowed = [ "32 to 96" ]
        | Ok _ -> false)

[<Fact>]
let ``state and nonce need at least 16 bytes`` () =
    Assert.True(Pkce.opaqueToken (Array.zeroCreate 15) |> Result.isError)
    Assert.Equal(Ok "AAAAAAAAAAAAAAAAAAAAAA", Pkce.opaqueToken (Array.zeroCreate 16))

[<Fact>]
let ``the authorize URL carries PKCE, OIDC, plan=generic and referrer=hermes-agent`` () =
    let url =
        Pkce.authorizeUrl
            {
                AuthorizationEndpoint = "https://auth.x.ai/oauth2/authorize"
                ClientId = XaiOAuth.clientId
                RedirectUri = "http://127.0.0.1:56121/callback"
                Scope = XaiOAuth.scope
                Challenge = "challenge-xyz"
                State = "state-abc"
                Nonce = "nonce-def"
            }

    let query =
        Uri(url).Query.TrimStart('?').Split('&')
        |> Array.map (fun kv -> let i = kv.IndexOf '=' in kv.Substring(0, i), Uri.UnescapeDataString(kv.Substring(i + 1)))
        |> Map.ofArray

    Assert.StartsWith("https://auth.x.ai/oauth2/authorize?", url)
    Assert.Equal("generic", query["plan"])
    Assert.Equal("hermes-agent", query["referrer"])
    Assert.Equal("code", query["response_type"])
    Assert.Equal(XaiOAuth.clientId, query["client_id"])
    Assert.Equal("http://127.0.0.1:56121/callback", query["redirect_uri"])
    Assert.Equal(XaiOAuth.scope, query["scope"])
    Assert.Equal("challenge-xyz", query["code_challenge"])
    Assert.Equal("S256", query["code_challenge_method"])
    Assert.Equal("state-abc", query["state"])
    Assert.Equal("nonce-def", query["nonce"])
