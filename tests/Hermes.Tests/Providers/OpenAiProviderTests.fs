module Hermes.Tests.Providers.OpenAiProviderTests

open System
open System.Threading
open Xunit
open FsCheck.Xunit
open FsCheck
open FsCheck.FSharp
open Hermes.Domain
open Hermes.Providers.Core
open Hermes.Providers.OpenAi
open Hermes.Tests.Support
open Hermes.Tests.Support.Fakes

let generations = "POST", "/v1/images/generations"

let provider (home: TestHome) (server: LoopbackServer) (extra: (string * string) list) (logs: CapturedLogs) =
    OpenAiImageProvider(
        home.Context(
            [
                "OPENAI_API_KEY", "sk-test-abcdef123456"
                "OPENAI_BASE_URL", server.Url("/v1")
            ]
            @ extra,
            logs
        )
    )

let generate (p: OpenAiImageProvider) aspect =
    p.GenerateAsync("a synth on a desk", aspect, GenerateOptions.Default, CancellationToken.None)

[<Fact>]
let ``the default tier sends gpt-image-2 at medium quality, never response_format, and saves the b64 png`` () =
    task {
        use home = new TestHome()
        let image = png 3000

        use s =
            new LoopbackServer(Reply.routes [ generations, Reply.json 200 (b64Response image) ])

        let! result = generate (provider home s [] (CapturedLogs())) AspectRatio.Landscape
        let ok = success result
        assertLocalFile home ok.Image image
        Assert.EndsWith(".png", ok.Image)
        Assert.Equal("gpt-image-2-medium", ok.Model)
        Assert.Equal<obj>("1536x1024", ok.Extras["size"])
        Assert.Equal<obj>("medium", ok.Extras["quality"])
        let request = Assert.Single(s.Requests)
        assertJson """{"model":"gpt-image-2","prompt":"a synth on a desk","size":"1536x1024","n":1,"quality":"medium"}""" request.Body
        Assert.DoesNotContain("response_format", request.Body)
        Assert.Equal(Some "Bearer sk-test-abcdef123456", request.Header "Authorization")
    }

let shared =
    lazy (new LoopbackServer(Reply.routes [ generations, Reply.json 200 (b64Response (png 16)) ]))

[<Property(MaxTest = 30)>]
let ``for every tier and aspect the body on the wire is the table's`` () =
    Prop.forAll (Arb.fromGen (Gen.zip (Gen.elements Tier.all) (Gen.elements AspectRatio.all))) (fun (tier, aspect) ->
        use home = new TestHome()
        let server = shared.Value
        let before = server.Requests.Length
        let p = provider home server [] (CapturedLogs())

        let result =
            p.GenerateAsync("p", aspect, GenerateOptions(Model = Tier.id tier), CancellationToken.None).Result

        let sent = server.Requests |> List.skip before |> List.exactlyOne

        let expected =
            (Requests.openAi (OpenAiModel.Tier tier) "p" aspect OutputControls.none).ToJsonString()

        (success result).Model = Tier.id tier
        && (json sent.Body).ToJsonString() = expected
        && not (sent.Body.Contains "response_format"))

[<Fact>]
let ``model precedence: image_gen.openai.model, then image_gen.model, then OPENAI_IMAGE_MODEL`` () =
    task {
        use s =
            new LoopbackServer(Reply.routes [ generations, Reply.json 200 (b64Response (png 4)) ])

        let env = [ "OPENAI_IMAGE_MODEL", "gpt-image-2-low" ]

        let modelWith (yaml: string) =
            task {
                use home = new TestHome()
                home.WriteConfig yaml
                let! result = generate (provider home s env (CapturedLogs())) AspectRatio.Square
                return (success result).Model
            }

        let! scoped = modelWith "image_gen:\n  model: gpt-image-2-medium\n  openai:\n    model: gpt-image-2-high\n"
        let! top = modelWith "image_gen:\n  model: gpt-image-2-medium\n"
        let! fromEnv = modelWith "image_gen:\n  model: fal-ai/flux-2-pro\n"
        Assert.Equal("gpt-image-2-high", scoped)
        Assert.Equal("gpt-image-2-medium", top)
        Assert.Equal("gpt-image-2-low", fromEnv)
    }

[<Fact>]
let ``an unknown configured model falls back to medium with a warning; an explicit one is refused`` () =
    task {
        use home = new TestHome()
        home.WriteConfig "image_gen:\n  openai:\n    model: dall-e-2\n"
        let logs = CapturedLogs()

        use s =
            new LoopbackServer(Reply.routes [ generations, Reply.json 200 (b64Response (png 4)) ])

        let p = provider home s [] logs
        let! result = generate p AspectRatio.Square
        Assert.Equal("gpt-image-2-medium", (success result).Model)
        Assert.Contains(logs.Warnings, fun w -> w.Contains "dall-e-2")
        let! refused = p.GenerateAsync("x", AspectRatio.Square, GenerateOptions(Model = "dall-e-3"), CancellationToken.None)
        Assert.Equal("invalid_argument", (failure refused).ErrorType)
        Assert.Contains("'dall-e-3'", (failure refused).Error.Message)
        Assert.Contains("gpt-image-2-low, gpt-image-2-medium, gpt-image-2-high", (failure refused).Error.Message)
    }

[<Fact>]
let ``a gpt-image id outside the tiers is sent as given, without a quality`` () =
    task {
        use home = new TestHome()

        use s =
            new LoopbackServer(Reply.routes [ generations, Reply.json 200 (b64Response (png 4)) ])

        let p = provider home s [] (CapturedLogs())

        let! result = p.GenerateAsync("a fox", AspectRatio.Square, GenerateOptions(Model = "gpt-image-1.5"), CancellationToken.None)

        Assert.Equal("gpt-image-1.5", (success result).Model)
        Assert.False((success result).Extras.ContainsKey "quality")
        assertJson """{"model":"gpt-image-1.5","prompt":"a fox","size":"1024x1024","n":1}""" s.Requests.Head.Body
    }

[<Fact>]
let ``a URL result is cached like xAI's, and falls back to the bare URL when it fails`` () =
    task {
        use home = new TestHome()
        let logs = CapturedLogs()
        let image = png 700
        let mutable server: LoopbackServer option = None

        let reply =
            Reply.routes
                [
                    generations,
                    Reply.sequence
                        [
                            (fun r c -> Reply.json 200 (urlResponse (server.Value.Url "/files/ok.png")) r c)
                            (fun r c -> Reply.json 200 (urlResponse (server.Value.Url "/files/expired.png")) r c)
                        ]
                    ("GET", "/files/ok.png"), Reply.bytes 200 "image/png" image
                ]

        use s = new LoopbackServer(reply)
        server <- Some s
        let p = provider home s [] logs
        let! cached = generate p AspectRatio.Square
        let! fallback = generate p AspectRatio.Square
        assertLocalFile home (success cached).Image image
        Assert.Equal(s.Url "/files/expired.png", (success fallback).Image)
        Assert.Single(logs.Warnings) |> ignore
    }

[<Fact>]
let ``output_format is sent when asked and the extension follows the bytes`` () =
    task {
        use home = new TestHome()

        use s =
            new LoopbackServer(Reply.routes [ generations, Reply.json 200 (b64Response (jpeg 100)) ])

        let! result =
            (provider home s [] (CapturedLogs()))
                .GenerateAsync("x", AspectRatio.Portrait, GenerateOptions(OutputFormat = "jpeg"), CancellationToken.None)

        Assert.EndsWith(".jpg", (success result).Image)
        Assert.Equal("jpeg", jsonField s.Requests.Head.Body "output_format")

        let! refused =
            (provider home s [] (CapturedLogs()))
                .GenerateAsync("x", AspectRatio.Portrait, GenerateOptions(OutputFormat = "bmp"), CancellationToken.None)

        Assert.Equal("invalid output format 'bmp': allowed values are png, jpeg, webp", (failure refused).Error.Message)
        Assert.Equal(1, s.Requests.Length)
    }

[<Fact>]
let ``the API's own message reaches the caller`` () =
    task {
        use home = new TestHome()

        let body =
            """{"error":{"message":"Unknown parameter: 'response_format'.","type":"invalid_request_error","param":"response_format","code":"unknown_parameter"}}"""

        use s = new LoopbackServer(Reply.routes [ generations, Reply.json 400 body ])
        let! result = generate (provider home s [] (CapturedLogs())) AspectRatio.Square
        let failed = failure result
        Assert.Equal("invalid_request", failed.ErrorType)
        Assert.Equal("OpenAI returned HTTP 400: Unknown parameter: 'response_format'.", failed.Error.Message)
        Assert.Equal("gpt-image-2-medium", failed.Model)
    }

[<Fact>]
let ``revised_prompt is carried in extras`` () =
    task {
        use home = new TestHome()

        let body =
            sprintf """{"data":[{"b64_json":"%s","revised_prompt":"a vintage synth"}]}""" (Convert.ToBase64String(png 10))

        use s = new LoopbackServer(Reply.routes [ generations, Reply.json 200 body ])
        let! result = generate (provider home s [] (CapturedLogs())) AspectRatio.Square
        Assert.Equal<obj>("a vintage synth", (success result).Extras["revised_prompt"])
    }

[<Fact>]
let ``without OPENAI_API_KEY it is unavailable and sends nothing`` () =
    task {
        use home = new TestHome()
        use s = new LoopbackServer(Reply.json 200 "{}")
        let p = OpenAiImageProvider(home.Context([ "OPENAI_BASE_URL", s.Url("/v1") ]))
        Assert.Equal("OpenAI needs OPENAI_API_KEY (https://platform.openai.com/api-keys)", expectMissing (p.IsAvailable()))
        let! result = generate p AspectRatio.Square
        Assert.Equal("not_available", (failure result).ErrorType)
        Assert.Empty(s.Requests)
    }
