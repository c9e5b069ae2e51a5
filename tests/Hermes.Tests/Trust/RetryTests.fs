/// trust.md "Money": a generate POST is sent again only when the provider certainly did not run it (429, 503, a
/// connection never made), at most 3 attempts, Retry-After honoured up to 60 s; safety refusals are content_policy.
module Hermes.Tests.Trust.RetryTests

open System
open System.Threading
open System.Threading.Tasks
open Xunit
open Hermes.Domain
open Hermes.Providers.Core
open Hermes.Providers.OpenAi
open Hermes.Providers.Xai
open Hermes.Tests.Support
open Hermes.Tests.Support.Fakes
open Hermes.Tests.Trust.HostileFakes

let generations = "POST", "/v1/images/generations"

let openAi (home: TestHome) (baseUrl: string) (clock: InstantDelays) =
    OpenAiImageProvider(home.Context([ "OPENAI_API_KEY", "sk-retry-0123456789"; "OPENAI_BASE_URL", baseUrl ], clock = clock))

let run (provider: IImageGenProvider) =
    provider.GenerateAsync("a fox", AspectRatio.Square, GenerateOptions.Default, CancellationToken.None)

let moderationBlocked =
    errorBody "moderation_blocked" "Your request was rejected as a result of our safety system."

[<Fact>]
let ``content_policy: OpenAI's moderation_blocked is its own error type and is never retried`` () =
    task {
        use home = new TestHome()
        let clock = InstantDelays()

        use fake =
            new LoopbackServer(Reply.routes [ generations, Reply.json 400 moderationBlocked ])

        let! result = run (openAi home (fake.Url "/v1") clock)
        let error = expectErrorKind ErrorKind.ContentPolicy result
        Assert.Contains("safety system", error.Message)
        Assert.Single(fake.Requests) |> ignore
        Assert.Empty(clock.Waits)
    }

[<Fact>]
let ``retries: a 429 with Retry-After 0 then success is two requests and one image`` () =
    task {
        use home = new TestHome()
        let image = png 128

        use fake =
            new LoopbackServer(
                Reply.sequence
                    [
                        Hostile.jsonWith 429 [ "Retry-After", "0" ] (errorBody "rate_limit_exceeded" "slow down")
                        Reply.json 200 (b64Response image)
                    ]
            )

        let! result = run (openAi home (fake.Url "/v1") (InstantDelays()))
        assertLocalFile home (success result).Image image
        Assert.Equal(2, fake.Requests.Length)
    }

[<Theory>]
[<InlineData("7", 7.0)>]
[<InlineData("3600", 60.0)>]
let ``retries: Retry-After is honoured up to 60 s`` (header: string, seconds: float) =
    task {
        use home = new TestHome()
        let clock = InstantDelays()

        use fake =
            new LoopbackServer(
                Reply.sequence
                    [
                        Hostile.jsonWith 429 [ "Retry-After", header ] (errorBody "rate_limit_exceeded" "slow down")
                        Reply.json 200 (b64Response (png 8))
                    ]
            )

        let! result = run (openAi home (fake.Url "/v1") clock)
        success result |> ignore
        Assert.Equal<TimeSpan list>([ TimeSpan.FromSeconds seconds ], clock.Waits)
    }

[<Fact>]
let ``retries: 503 three times is three attempts with jittered backoff, then a provider_error`` () =
    task {
        use home = new TestHome()
        let clock = InstantDelays()

        use fake =
            new LoopbackServer(Reply.routes [ generations, Reply.json 503 (errorBody "overloaded" "try later") ])

        let! result = run (openAi home (fake.Url "/v1") clock)
        let error = expectErrorKind ErrorKind.ProviderError result
        Assert.Equal(Nullable 503, error.HttpStatus)
        Assert.Equal(3, fake.Requests.Length)

        match clock.Waits with
        | [ first; second ] ->
            Assert.InRange(first, TimeSpan.FromSeconds 1.0, TimeSpan.FromSeconds 2.0)
            Assert.InRange(second, TimeSpan.FromSeconds 2.0, TimeSpan.FromSeconds 4.0)
        | waits -> failwithf "expected two backoff waits, got %A" waits

        Assert.Empty(home.CachedFiles())
    }

[<Theory>]
[<InlineData(500)>]
[<InlineData(502)>]
[<InlineData(504)>]
[<InlineData(400)>]
[<InlineData(408)>]
let ``retries: any other status may mean the image was made and is never retried`` (status: int) =
    task {
        use home = new TestHome()
        let clock = InstantDelays()

        use fake =
            new LoopbackServer(Reply.routes [ generations, Reply.json status (errorBody "x" "failed") ])

        let! result = run (openAi home (fake.Url "/v1") clock)
        let error = expectError result
        Assert.Equal(Nullable status, error.HttpStatus)
        Assert.Single(fake.Requests) |> ignore
        Assert.Empty(clock.Waits)
    }

[<Fact>]
let ``retries: a connection that was never made is retried, three attempts in all`` () =
    task {
        use home = new TestHome()
        let clock = InstantDelays()
        let port = closedPort ()
        let! result = run (openAi home (sprintf "http://127.0.0.1:%d/v1" port) clock)
        expectErrorKind ErrorKind.Network result |> ignore
        Assert.Equal(2, clock.Waits.Length)
    }

[<Fact>]
let ``retries: a connection dropped after the request was sent is never retried`` () =
    task {
        use home = new TestHome()
        let clock = InstantDelays()

        use fake =
            new LoopbackServer(
                Reply.routes
                    [
                        generations,
                        (fun _ ctx ->
                            ctx.Abort()
                            Task.CompletedTask)
                    ]
            )

        let! result = run (openAi home (fake.Url "/v1") clock)
        expectErrorKind ErrorKind.Network result |> ignore
        Assert.Single(fake.Requests) |> ignore
        Assert.Empty(clock.Waits)
    }

[<Fact>]
let ``retries: xAI gets the same rule (503 then success)`` () =
    task {
        use home = new TestHome()
        let clock = InstantDelays()

        use fake =
            new LoopbackServer(Reply.sequence [ Reply.json 503 """{"error":"busy"}"""; Reply.json 200 (b64Response (png 8)) ])

        let provider =
            XaiImageProvider(home.Context([ "XAI_API_KEY", "xai-retry-0123456789"; "XAI_BASE_URL", fake.Url "/v1" ], clock = clock))

        let! result = run provider
        success result |> ignore
        Assert.Equal(2, fake.Requests.Length)
        Assert.Single(clock.Waits) |> ignore
    }
