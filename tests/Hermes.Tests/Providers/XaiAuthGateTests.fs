/// reference-2026.md, xAI row: a 403 unauthenticated:bad-credentials opens the one refresh-and-retry like a 401.
module Hermes.Tests.Providers.XaiAuthGateTests

open System
open Xunit
open Hermes.Tests.Support
open Hermes.Tests.Support.Fakes
open Hermes.Tests.Auth.RefreshTests

/// A fake xAI images API that answers 403 with `body` to any bearer for which `accepts` does not hold.
let forbiddingApi (accepts: string -> bool) (body: string) =
    new LoopbackServer(fun request ctx ->
        let bearer =
            request.Header "Authorization" |> Option.map (fun h -> h.Replace("Bearer ", ""))

        if bearer |> Option.exists accepts then
            Reply.json 200 (b64Response (png 8)) request ctx
        else
            Reply.json 403 body request ctx)

let staleToken =
    """{"code":"unauthenticated:bad-credentials","error":"Incorrect API key provided: xa***. You can obtain an API key from https://console.x.ai."}"""

[<Fact>]
let ``test_stale_token_403_opens_the_refresh_gate`` () =
    task {
        use fake = new FakeXaiAccounts()
        use home = new TestHome()
        use api = forbiddingApi fake.Issued staleToken
        let ctx, access = signedInAgainst fake home api true
        let! result = generateFox ctx
        ignore (success result)
        Assert.Equal(1, fake.Refreshes)
        Assert.Equal(2, api.Requests.Length)
        Assert.Equal(Some("Bearer " + access), api.Requests.Head.Header "Authorization")
        Assert.NotEqual(Some("Bearer " + access), (List.last api.Requests).Header "Authorization")
    }

[<Fact>]
let ``a stale-token 403 after the refresh is an auth error, not a loop`` () =
    task {
        use fake = new FakeXaiAccounts()
        use home = new TestHome()
        use api = forbiddingApi (fun _ -> false) staleToken
        let ctx, _ = signedInAgainst fake home api true
        let! result = generateFox ctx
        let failed = failure result
        Assert.Equal("auth", failed.ErrorType)
        Assert.Equal(Nullable 403, failed.Error.HttpStatus)
        Assert.Equal(1, fake.Refreshes)
        Assert.Equal(2, api.Requests.Length)
    }

[<Theory>]
[<InlineData("""{"code":"permission-denied:spending-limit","error":"Your team has reached its monthly spending limit"}""")>]
[<InlineData("""{"error":{"code":"forbidden","message":"Your subscription does not include Grok Imagine"}}""")>]
[<InlineData("""<html>403 Forbidden</html>""")>]
let ``spending-limit and entitlement 403s are reported without a refresh`` (body: string) =
    task {
        use fake = new FakeXaiAccounts()
        use home = new TestHome()
        use api = forbiddingApi fake.Issued body
        let ctx, _ = signedInAgainst fake home api true
        let! result = generateFox ctx
        let failed = failure result
        Assert.Equal(Nullable 403, failed.Error.HttpStatus)
        Assert.Equal(0, fake.Refreshes)
        Assert.Equal(1, api.Requests.Length)
    }

[<Fact>]
let ``a stale-token 403 to XAI_API_KEY is reported without any refresh`` () =
    task {
        use fake = new FakeXaiAccounts()
        use home = new TestHome()
        use api = forbiddingApi (fun _ -> false) staleToken

        let ctx =
            home.OAuthContext(fake.DiscoveryUrl, fake.Policy, [ "XAI_BASE_URL", api.Url "/v1"; "XAI_API_KEY", "xai-wrong" ])

        let! result = generateFox ctx
        Assert.Equal(Nullable 403, (failure result).Error.HttpStatus)
        Assert.Equal(1, api.Requests.Length)
        Assert.Empty(fake.Requests)
    }
