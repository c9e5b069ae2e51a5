/// trust.md "size", "time" and "Text that reaches a terminal": provider answers too large to hold, streams that never
/// end, and error text written to attack a terminal or to show a key back.
module Hermes.Tests.Trust.HostileAnswerTests

open System
open System.Diagnostics
open System.Text
open System.Threading
open Xunit
open FsCheck
open FsCheck.Xunit
open Hermes.Domain
open Hermes.Providers.Codex
open Hermes.Providers.Core
open Hermes.Providers.Http
open Hermes.Providers.OpenAi
open Hermes.Providers.Xai
open Hermes.Tests.Support
open Hermes.Tests.Support.Fakes
open Hermes.Tests.Trust.HostileFakes

module CodexFake = Hermes.Tests.Providers.CodexProviderTests

let generations = "POST", "/v1/images/generations"
let xaiKey = "xai-echoed-key-0123456789abcdef"
let openAiKey = "sk-proj-Echoed0123456789abcdefghijklmnopqrstuv"

let xai (home: TestHome) (fake: LoopbackServer) =
    XaiImageProvider(home.Context([ "XAI_API_KEY", xaiKey; "XAI_BASE_URL", fake.Url "/v1" ]))

let openAi (home: TestHome) (fake: LoopbackServer) =
    OpenAiImageProvider(home.Context([ "OPENAI_API_KEY", openAiKey; "OPENAI_BASE_URL", fake.Url "/v1" ]))

let run (provider: IImageGenProvider) =
    provider.GenerateAsync("a fox", AspectRatio.Square, GenerateOptions.Default, CancellationToken.None)

/// A typed error of this kind and nothing in the cache.
let refusedAs (kind: ErrorKind) (home: TestHome) (result: ImageGenResult) =
    let error = expectErrorKind kind result
    Assert.Empty(home.CachedFiles())
    assertPrintable error.Message
    error

[<Theory>]
[<InlineData(false)>]
[<InlineData(true)>]
let ``size: a 50 MB b64_json answer is refused as too large and nothing is kept`` (announced: bool) =
    task {
        use home = new TestHome()

        use fake =
            new LoopbackServer(Reply.routes [ generations, Hostile.hugeB64Answer 50_000_000L announced ])

        let! result = run (xai home fake)
        let error = refusedAs ErrorKind.InvalidResponse home result
        Assert.Contains("too large", error.Message)
    }

[<Theory>]
[<InlineData(false)>]
[<InlineData(true)>]
let ``size: a 200 MB JSON body is refused as too large and nothing is kept`` (announced: bool) =
    task {
        use home = new TestHome()
        let head = Encoding.ASCII.GetBytes """{"created":1,"data":[{"revised_prompt":" """

        use fake =
            new LoopbackServer(Reply.routes [ generations, Hostile.stream "application/json" head 200_000_000L announced ])

        let! result = run (openAi home fake)
        let error = refusedAs ErrorKind.InvalidResponse home result
        Assert.Contains("too large", error.Message)
    }

[<Fact>]
let ``size: a gzip-bombed JSON body is refused as too large once inflated`` () =
    task {
        use home = new TestHome()

        let bomb =
            gzipBomb (Encoding.ASCII.GetBytes """{"created":1,"data":[{"b64_json":" """) (64 * 1024 * 1024)

        use fake =
            new LoopbackServer(Reply.routes [ generations, gzipped "application/json" bomb ])

        let! result = run (xai home fake)
        let error = refusedAs ErrorKind.InvalidResponse home result
        Assert.Contains("too large", error.Message)
    }

/// Base64 characters of a valid PNG-signed image of 26,316,801 bytes (just over the 25 MiB cap), under the body limit.
let overCapChars = 35_089_057L

[<Fact>]
let ``size: a b64_json that decodes to just over 25 MiB is refused by the image cap`` () =
    task {
        use home = new TestHome()

        use fake =
            new LoopbackServer(Reply.routes [ generations, Hostile.hugeB64Answer overCapChars true ])

        let! result = run (xai home fake)
        let error = refusedAs ErrorKind.InvalidResponse home result
        Assert.Contains("cap", error.Message)
    }

[<Fact>]
let ``size: a b64_json just under the cap is saved whole`` () =
    task {
        use home = new TestHome()
        // 4 × 8,738,133 characters: a valid PNG-signed image of 26,214,399 bytes, one under the cap.
        use fake =
            new LoopbackServer(Reply.routes [ generations, Hostile.hugeB64Answer 34_952_521L true ])

        let! result = run (xai home fake)
        let saved = (success result).Image
        Assert.Equal(26_214_399L, IO.FileInfo(saved).Length)
    }

[<Fact>]
let ``size: a large answer read past its first 8 MiB is kept whole, byte for byte`` () =
    task {
        use home = new TestHome()
        let image = png (12 * 1024 * 1024)

        use fake =
            new LoopbackServer(Reply.routes [ generations, Reply.json 200 (b64Response image) ])

        let! result = run (openAi home fake)
        let saved = (success result).Image
        Assert.StartsWith(home.CacheDir, saved)
        // Span comparison: Assert.Equal on 12 MiB compares element by element and takes seconds.
        Assert.True(ReadOnlySpan(image).SequenceEqual(ReadOnlySpan(IO.File.ReadAllBytes saved)))
    }

let codexResponses = "POST", "/backend-api/codex/responses"

let codex (home: TestHome) (fake: LoopbackServer) (timeouts: TransportTimeouts option) =
    CodexFake.signInCodex home (CodexFake.freshToken ())

    CodexImageProvider(home.Context([ "HERMES_CODEX_BASE_URL", fake.Url "/backend-api/codex" ], ?timeouts = timeouts))

[<Fact>]
let ``time: an SSE stream of keep-alives only ends at the total deadline`` () =
    task {
        use home = new TestHome()

        use fake =
            new LoopbackServer(
                Reply.routes
                    [
                        codexResponses, Hostile.keepAlives (TimeSpan.FromMilliseconds 50.0) (TimeSpan.FromSeconds 20.0)
                    ]
            )

        let deadline = TimeSpan.FromSeconds 1.5

        let provider =
            codex home fake (Some(TransportTimeouts(deadline, TimeSpan.FromSeconds 30.0)))

        let clock = Stopwatch.StartNew()
        let! result = run provider
        let error = refusedAs ErrorKind.Timeout home result
        Assert.InRange(clock.Elapsed, deadline, TimeSpan.FromSeconds 10.0)
        Assert.Contains("1.5 s", error.Message)
        Assert.Single(fake.Requests) |> ignore
    }

[<Fact>]
let ``size: a Codex result that decodes to more than 25 MiB is refused by the image cap`` () =
    task {
        use home = new TestHome()
        let result64 = "iVBORw0KGgo" + String('A', int overCapChars)

        let events =
            [
                CodexFake.event
                    "response.output_item.done"
                    (sprintf
                        """{"type":"response.output_item.done","item":{"type":"image_generation_call","id":"ig_1","status":"completed","result":"%s"}}"""
                        result64)
                CodexFake.event "response.completed" """{"type":"response.completed","response":{"status":"completed"}}"""
            ]

        use fake =
            new LoopbackServer(Reply.routes [ codexResponses, CodexFake.stream events false ])

        let! result = run (codex home fake None)
        let error = refusedAs ErrorKind.InvalidResponse home result
        Assert.Contains("cap", error.Message)
    }

[<Theory>]
[<InlineData("application/json",
             "{\"error\":{\"message\":\"bad \\u001b[31mred\\u001b[0m \\u001b]0;owned title\\u0007 prompt\\r\\nFAKE: run rm -rf\"}}")>]
[<InlineData("application/json", "{\"error\":\"\\u009b2J\\u001b[2J\\u001bc reset \\u202egnp.exe\\u0008\\u0008\\u007f done\"}")>]
[<InlineData("text/plain", "\u001b[2J\u001b[H\u001b]52;c;cm0gLXJmIH4=\u0007upstream \u0085 error \u009b31m\u0001")>]
[<InlineData("text/html", "<h1>\u001bP+q544e\u001b\\ Bad Gateway</h1>\t\r\n")>]
let ``terminal: escape sequences and control characters in a provider's error never reach the message``
    (contentType: string, body: string)
    =
    task {
        use home = new TestHome()

        use fake =
            new LoopbackServer(Reply.routes [ generations, Reply.text 400 contentType body ])

        let! result = run (xai home fake)
        let error = refusedAs ErrorKind.InvalidRequest home result
        Assert.StartsWith("xAI returned HTTP 400: ", error.Message)
    }

[<Fact>]
let ``terminal: a provider's error text is cut to 300 characters`` () =
    task {
        use home = new TestHome()
        let long = String.replicate 500 "spam "

        use fake =
            new LoopbackServer(Reply.routes [ generations, Reply.json 500 (errorBody "server_error" long) ])

        let! result = run (openAi home fake)
        let error = refusedAs ErrorKind.ProviderError home result
        let prefix = "OpenAI returned HTTP 500: "
        Assert.StartsWith(prefix, error.Message)
        Assert.InRange(error.Message.Length - prefix.Length, 1, 301)
        Assert.EndsWith("…", error.Message)
    }

[<Theory>]
[<InlineData("raw")>]
[<InlineData("base64")>]
let ``secrets: a key a provider echoes in an error is shown only as its six-character prefix`` (spelling: string) =
    task {
        use home = new TestHome()

        let echoed =
            match spelling with
            | "base64" -> Convert.ToBase64String(Encoding.UTF8.GetBytes openAiKey)
            | _ -> openAiKey

        let body =
            errorBody "invalid_api_key" (sprintf "Incorrect API key provided: %s. Find your key at the dashboard." echoed)

        use fake = new LoopbackServer(Reply.routes [ generations, Reply.json 401 body ])
        let! result = run (openAi home fake)
        let error = refusedAs ErrorKind.Auth home result
        assertOnlyPrefixOf openAiKey error.Message
        assertOnlyPrefixOf echoed error.Message
        Assert.Contains("Incorrect API key provided", error.Message)
    }

[<Theory>]
[<InlineData(280)>]
[<InlineData(290)>]
[<InlineData(295)>]
let ``secrets: a key echoed where the 300-character cut falls is still shown only as its prefix`` (at: int) =
    task {
        use home = new TestHome()

        let body =
            errorBody "invalid_api_key" (String('x', at) + openAiKey + " is not valid")

        use fake = new LoopbackServer(Reply.routes [ generations, Reply.json 401 body ])
        let! result = run (openAi home fake)
        let error = refusedAs ErrorKind.Auth home result
        assertOnlyPrefixOf openAiKey error.Message
    }

[<Fact>]
let ``secrets: a Codex sign-in token echoed in an error is shown only as its prefix`` () =
    task {
        use home = new TestHome()
        let token = CodexFake.freshToken ()
        CodexFake.signInCodex home token

        use fake =
            new LoopbackServer(
                Reply.routes
                    [
                        codexResponses, Reply.json 403 (errorBody "forbidden" (sprintf "token %s is not allowed" token))
                    ]
            )

        let provider =
            CodexImageProvider(home.Context([ "HERMES_CODEX_BASE_URL", fake.Url "/backend-api/codex" ]))

        let! result = run provider
        let error = refusedAs ErrorKind.Auth home result
        assertOnlyPrefixOf token error.Message
    }

[<Fact>]
let ``terminal: escape sequences in a refused image URL never reach the message`` () =
    task {
        use home = new TestHome()

        use fake =
            new LoopbackServer(
                Reply.routes
                    [
                        generations, Reply.json 200 (urlAnswer "file:///\u001b]0;owned\u0007\u001b[2J\u009b31m/etc/hostname")
                    ]
            )

        let! result = run (xai home fake)
        refusedAs ErrorKind.InvalidResponse home result |> ignore
    }

[<Theory>]
[<InlineData(10)>]
[<InlineData(170)>]
[<InlineData(180)>]
let ``secrets: a key a provider puts in an image URL is shown only as its prefix`` (at: int) =
    task {
        use home = new TestHome()
        let url = "file:///" + String('p', at) + "/" + xaiKey + "/image.png"

        use fake =
            new LoopbackServer(Reply.routes [ generations, Reply.json 200 (urlAnswer url) ])

        let! result = run (xai home fake)
        let error = refusedAs ErrorKind.InvalidResponse home result
        assertOnlyPrefixOf xaiKey error.Message
    }

[<Property>]
let ``secrets: wherever a length cut ends a text inside a known secret, no seven characters of it remain``
    (NonEmptyArray(key: byte[]), PositiveInt pad, PositiveInt limit)
    =
    // base64url has no '#', so the padding can never complete the secret's prefix by itself.
    let secret =
        "k"
        + Convert.ToBase64String(Array.append key (Array.zeroCreate 6)).TrimEnd('=').Replace('+', '-').Replace('/', '_')

    let shown = TerminalText.sanitizeWith limit (String('#', pad) + secret + " tail")
    not ((Secrets.redact [ secret ] shown).Contains(secret.Substring(0, 7), StringComparison.Ordinal))
