module Hermes.Tests.Providers.CodexProviderTests

open System
open System.IO
open System.Text
open System.Threading
open System.Threading.Tasks
open Microsoft.AspNetCore.Http
open Xunit
open Hermes.Domain
open Hermes.Providers.Codex
open Hermes.Providers.Core
open Hermes.Tests.Support
open Hermes.Tests.Support.Fakes

let responses = "POST", "/backend-api/codex/responses"

let codexToken (exp: int64) =
    FakeXaiAccounts.Jwt(sprintf """{"exp":%d,"https://api.openai.com/auth":{"chatgpt_account_id":"acct-123"}}""" exp)

let freshToken () =
    codexToken (DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 3600L)

/// Writes ~/.codex/auth.json the way `codex login` does.
let signInCodex (home: TestHome) (token: string) =
    let dir = Path.Combine(home.Path, ".codex")
    Directory.CreateDirectory dir |> ignore

    File.WriteAllText(
        Path.Combine(dir, "auth.json"),
        sprintf
            """{"OPENAI_API_KEY":null,"tokens":{"id_token":"x","access_token":"%s","refresh_token":"r"},"last_refresh":"2026-11-01T00:00:00Z"}"""
            token
    )

let event (name: string) (json: string) =
    sprintf "event: %s\ndata: %s\n\n" name json

let imageEvents (partial: byte[]) (final: byte[]) =
    [
        event "response.created" """{"type":"response.created","response":{"id":"resp_1","status":"in_progress"}}"""
        ": keep-alive\n\n"
        event
            "response.image_generation_call.partial_image"
            (sprintf
                """{"type":"response.image_generation_call.partial_image","partial_image_index":0,"partial_image_b64":"%s"}"""
                (Convert.ToBase64String partial))
        event
            "response.output_item.done"
            (sprintf
                """{"type":"response.output_item.done","item":{"type":"image_generation_call","id":"ig_1","status":"completed","result":"%s"}}"""
                (Convert.ToBase64String final))
        event "response.completed" """{"type":"response.completed","response":{"id":"resp_1","status":"completed"}}"""
    ]

let stream (events: string list) (dropAtEnd: bool) : Reply =
    fun _ ctx ->
        task {
            ctx.Response.StatusCode <- 200
            ctx.Response.ContentType <- "text/event-stream"

            for e in events do
                let bytes = Encoding.UTF8.GetBytes e
                do! ctx.Response.Body.WriteAsync(bytes, 0, bytes.Length)
                do! ctx.Response.Body.FlushAsync()
                do! Task.Delay 5

            if dropAtEnd then
                ctx.Abort()
        }

let provider (home: TestHome) (server: LoopbackServer) =
    CodexImageProvider(home.Context([ "HERMES_CODEX_BASE_URL", server.Url "/backend-api/codex" ]))

let generate (p: CodexImageProvider) =
    p.GenerateAsync("a watercolor fox", AspectRatio.Portrait, GenerateOptions(Model = "gpt-image-2-high"), CancellationToken.None)

[<Fact>]
let ``the image tool is called with the Codex headers and the final image is cached`` () =
    task {
        use home = new TestHome()
        let token = freshToken ()
        signInCodex home token
        let final = png 4000

        use server =
            new LoopbackServer(Reply.routes [ responses, stream (imageEvents (png 10) final) false ])

        let! result = generate (provider home server)
        let ok = success result
        assertLocalFile home ok.Image final
        Assert.Equal("openai-codex", ok.Provider)
        Assert.Equal("gpt-image-2-high", ok.Model)
        Assert.Equal<obj>("1024x1536", ok.Extras["size"])
        let request = Assert.Single server.Requests
        Assert.Equal(Some("Bearer " + token), request.Header "Authorization")
        Assert.Equal(Some "acct-123", request.Header "ChatGPT-Account-ID")
        Assert.Equal(Some "codex_cli_rs", request.Header "originator")
        Assert.Equal(Some "text/event-stream", request.Header "Accept")
        Assert.StartsWith("codex_cli_rs/", (request.Header "User-Agent").Value)
        assertJson ((Requests.codex Tier.High "a watercolor fox" AspectRatio.Portrait OutputControls.none).ToJsonString()) request.Body
    }

[<Fact>]
let ``Hermes' own auth store is read before the Codex CLI file`` () =
    task {
        use home = new TestHome()
        signInCodex home (freshToken ())
        let hermesToken = codexToken (DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 600L)

        File.WriteAllText(
            home.AuthPath,
            sprintf """{"version":1,"providers":{"openai-codex":{"tokens":{"access_token":"%s","account_id":"acct-stored"}}}}""" hermesToken
        )

        use server =
            new LoopbackServer(Reply.routes [ responses, stream (imageEvents (png 1) (png 2)) false ])

        let! result = generate (provider home server)
        ignore (success result)
        Assert.Equal(Some("Bearer " + hermesToken), server.Requests.Head.Header "Authorization")
        Assert.Equal(Some "acct-stored", server.Requests.Head.Header "ChatGPT-Account-ID")
    }

[<Fact>]
let ``CODEX_HOME moves the Codex sign-in file`` () =
    use home = new TestHome()
    let elsewhere = Path.Combine(home.Path, "codex-elsewhere")
    Directory.CreateDirectory elsewhere |> ignore
    File.WriteAllText(Path.Combine(elsewhere, "auth.json"), sprintf """{"tokens":{"access_token":"%s"}}""" (freshToken ()))
    let p = CodexImageProvider(home.Context([ "CODEX_HOME", elsewhere ]))
    Assert.True(p.IsAvailable().IsReady)
    Assert.False(CodexImageProvider(home.Context([])).IsAvailable().IsReady)

[<Fact>]
let ``an expired Codex token is refused before any request`` () =
    task {
        use home = new TestHome()
        signInCodex home (codexToken (DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 60L))

        use server =
            new LoopbackServer(Reply.routes [ responses, stream (imageEvents (png 1) (png 2)) false ])

        let p = provider home server
        Assert.Contains("codex login", expectMissing (p.IsAvailable()))
        let! result = generate p
        Assert.Equal("auth", (failure result).ErrorType)
        Assert.Contains("codex login", (failure result).Error.Message)
        Assert.Empty server.Requests
    }

[<Fact>]
let ``without a Codex sign-in it says to sign in with Codex`` () =
    task {
        use home = new TestHome()
        use server = new LoopbackServer(Reply.json 200 "{}")
        let p = provider home server
        Assert.Equal("sign in with Codex (`codex login`) to use gpt-image-2 without an API key", expectMissing (p.IsAvailable()))
        let! result = generate p
        Assert.Equal("not_available", (failure result).ErrorType)
        Assert.Empty server.Requests
    }

[<Theory>]
[<InlineData(401, "auth", "run `codex login` to sign in again")>]
[<InlineData(429, "rate_limited", "Codex returned HTTP 429: Rate limit reached")>]
[<InlineData(500, "provider_error", "Codex returned HTTP 500: Rate limit reached")>]
let ``HTTP errors are typed`` (status: int, errorType: string, message: string) =
    task {
        use home = new TestHome()
        signInCodex home (freshToken ())

        use server =
            new LoopbackServer(
                Reply.routes
                    [
                        responses, Reply.json status """{"error":{"message":"Rate limit reached"}}"""
                    ]
            )

        let! result = generate (provider home server)
        Assert.Equal(errorType, (failure result).ErrorType)
        Assert.Contains(message, (failure result).Error.Message)
        Assert.Equal(Nullable status, (failure result).Error.HttpStatus)
    }

[<Fact>]
let ``test_tool_choice_400_surfaces_verbatim_not_as_capability_error`` () =
    task {
        use home = new TestHome()
        signInCodex home (freshToken ())

        use server =
            new LoopbackServer(
                Reply.routes
                    [
                        responses,
                        Reply.json 400 """{"error":{"message":"Tool choice 'image_generation' not found in 'tools' parameter."}}"""
                    ]
            )

        let! result = generate (provider home server)
        let error = (failure result).Error
        Assert.Equal("invalid_request", error.ErrorType)
        Assert.Equal(4, Hermes.Cli.ExitCode.ofKind error.Kind)
        Assert.Contains("HTTP 400: Tool choice 'image_generation' not found in 'tools' parameter.", error.Message)
        Assert.DoesNotContain("not enabled", error.Message)
    }

let private partialOnly (partial: byte[]) =
    imageEvents partial partial |> List.filter (fun e -> not (e.Contains "image_generation_call\","))

let private emptyStream =
    [ event "response.completed" """{"type":"response.completed","response":{"output":[]}}""" ]

let private runStreams (replies: Reply list) =
    task {
        let home = new TestHome()
        signInCodex home (freshToken ())
        let server = new LoopbackServer(Reply.routes [ responses, Reply.sequence replies ])
        let! result = generate (provider home server)
        return home, server, result
    }

[<Fact>]
let ``test_partial_only_stream_fails_closed_after_retry`` () =
    task {
        let! home, server, result = runStreams [ stream (partialOnly (png 4)) false ]
        use _ = home
        use _ = server
        Assert.Equal("incomplete_image", (failure result).ErrorType)
        Assert.Contains("after 2 attempt(s)", (failure result).Error.Message)
        Assert.Equal(2, server.Requests.Length)
        Assert.Empty(home.CachedFiles())
    }

[<Fact>]
let ``test_empty_stream_retries_then_fails`` () =
    task {
        let! home, server, result = runStreams [ stream emptyStream false ]
        use _ = home
        use _ = server
        Assert.Equal("no_image", (failure result).ErrorType)
        Assert.Contains("no image_generation_call result after 2 attempt(s)", (failure result).Error.Message)
        Assert.Equal(2, server.Requests.Length)
        Assert.Empty(home.CachedFiles())
    }

[<Fact>]
let ``test_partial_then_final_on_retry_succeeds`` () =
    task {
        let final = png 300
        let! home, server, result = runStreams [ stream (partialOnly (png 4)) false; stream (imageEvents (png 5) final) false ]
        use _ = home
        use _ = server
        assertLocalFile home (success result).Image final
        Assert.Equal(1, home.CachedFiles().Length)
    }

[<Fact>]
let ``test_empty_then_final_on_retry_succeeds`` () =
    task {
        let final = png 300
        let! home, server, result = runStreams [ stream emptyStream false; stream (imageEvents (png 5) final) false ]
        use _ = home
        use _ = server
        assertLocalFile home (success result).Image final
    }

[<Fact>]
let ``a failed response and a malformed event are typed and never retried`` () =
    task {
        let failed =
            [
                event "response.failed" """{"type":"response.failed","response":{"error":{"message":"content policy"}}}"""
            ]

        let! home1, server1, r1 = runStreams [ stream failed false ]
        let! home2, server2, r2 = runStreams [ stream [ "data: {not json\n\n" ] false ]
        use _ = home1
        use _ = server1
        use _ = home2
        use _ = server2

        Assert.Equal(
            ("provider_error", "the Codex image tool failed: content policy"),
            ((failure r1).ErrorType, (failure r1).Error.Message)
        )

        Assert.Equal("invalid_response", (failure r2).ErrorType)
        Assert.StartsWith("the Codex stream carried an event that is not JSON", (failure r2).Error.Message)
        Assert.Equal(1, server1.Requests.Length)
        Assert.Equal(1, server2.Requests.Length)
        Assert.Empty(home1.CachedFiles())
    }

[<Fact>]
let ``a silent stream times out`` () =
    task {
        use home = new TestHome()
        signInCodex home (freshToken ())

        use server =
            new LoopbackServer(
                Reply.routes
                    [
                        responses, Reply.stallAfter "text/event-stream" (Encoding.UTF8.GetBytes(event "response.created" "{}"))
                    ]
            )

        let p =
            CodexImageProvider(
                home.Context([ "HERMES_CODEX_BASE_URL", server.Url "/backend-api/codex" ]),
                IdleTimeout = TimeSpan.FromMilliseconds 300.0
            )

        let! result = generate p
        Assert.Equal("timeout", (failure result).ErrorType)
    }

[<Fact>]
let ``the stream fold keeps the final image over a later preview`` () =
    let lines = (String.concat "" (imageEvents (png 3) (png 9))).Split('\n')
    let state = lines |> Array.fold CodexStream.feed CodexStream.initial
    Assert.Equal(1, state.Partials)
    Assert.Equal(Ok(Convert.ToBase64String(png 9)), CodexStream.finish state |> Result.map _.Base64)
