module Hermes.Tests.Providers.OutputControlsProviderTests

open System
open System.Threading
open Xunit
open Hermes.Domain
open Hermes.Providers.Core
open Hermes.Providers.Fal
open Hermes.Tests.Support
open Hermes.Tests.Support.Fakes
open Hermes.Tests.Providers.EditProviderTests

let private run (provider: IImageGenProvider) (aspect: AspectRatio) (options: GenerateOptions) =
    provider.GenerateAsync("a synth on a desk", aspect, options, CancellationToken.None)

let private generations = "POST", "/v1/images/generations"

/// The JSON body of the one request a fake received.
let private onlyBody (requests: RecordedRequest list) =
    let request = Assert.Single requests
    json request.Body

let private allOpenAiControls (sources: string list) =
    GenerateOptions(
        Sources = sources,
        Size = "2048x1152",
        Quality = "high",
        OutputFormat = "webp",
        Compression = 80,
        Background = "opaque",
        Moderation = "low"
    )

[<Fact>]
let ``OpenAI generation puts every control on the JSON body, never response_format`` () =
    task {
        use home = new TestHome()
        use s = new LoopbackServer(Reply.routes [ generations, Reply.json 200 (b64Response (png 300)) ])

        let! result = run (openAi home s []) AspectRatio.Landscape (allOpenAiControls [])
        let ok = success result
        Assert.Equal<obj>("2048x1152", ok.Extras["size"])
        Assert.Equal<obj>("high", ok.Extras["quality"])
        let request = Assert.Single s.Requests

        assertJson
            """{"model":"gpt-image-2","prompt":"a synth on a desk","size":"2048x1152","n":1,"quality":"high","output_format":"webp","output_compression":80,"background":"opaque","moderation":"low"}"""
            request.Body
    }

[<Fact>]
let ``an OpenAI edit puts every control in the multipart form`` () =
    task {
        use home = new TestHome()
        use dir = new SourceDir()
        use s = new LoopbackServer(Reply.routes [ edits, Reply.json 200 (b64Response (png 300)) ])

        let! result = run (openAi home s []) AspectRatio.Landscape (allOpenAiControls [ dir.Write("a.png", photo) ])
        success result |> ignore
        let parts = formParts (Assert.Single s.Requests)

        let field name =
            (parts |> List.find (fun p -> p.Name = name)).Text

        Assert.Equal<string list>(
            [ "model"; "prompt"; "image[]"; "size"; "quality"; "n"; "output_format"; "output_compression"; "background"; "moderation" ],
            parts |> List.map _.Name
        )

        Assert.Equal("2048x1152", field "size")
        Assert.Equal("high", field "quality")
        Assert.Equal("webp", field "output_format")
        Assert.Equal("80", field "output_compression")
        Assert.Equal("opaque", field "background")
        Assert.Equal("low", field "moderation")
    }

[<Fact>]
let ``the Codex image tool carries the controls`` () =
    task {
        use home = new TestHome()
        CodexProviderTests.signInCodex home (CodexProviderTests.freshToken ())

        use s =
            new LoopbackServer(Reply.routes [ CodexProviderTests.responses, CodexProviderTests.stream (CodexProviderTests.imageEvents (png 10) (png 400)) false ])

        let provider = CodexProviderTests.provider home s

        let! result =
            run provider AspectRatio.Portrait (GenerateOptions(Model = "gpt-image-2-low", Size = "auto", Quality = "high", OutputFormat = "jpeg", Compression = 40, Moderation = "low"))

        let ok = success result
        Assert.Equal<obj>("auto", ok.Extras["size"])
        Assert.Equal<obj>("high", ok.Extras["quality"])
        let body = onlyBody s.Requests
        let tool = body["tools"].[0]

        assertJson
            """{"type":"image_generation","model":"gpt-image-2","size":"auto","quality":"high","output_format":"jpeg","output_compression":40,"moderation":"low","background":"opaque","partial_images":0}"""
            (tool.ToJsonString())
    }

[<Fact>]
let ``FAL puts an exact image_size, the output format and the seed on the payload`` () =
    task {
        use home = new TestHome()
        use fake = new FakeFal()

        let provider =
            FalImageProvider(home.Context([ "FAL_KEY", "fal-test-key-123456"; "FAL_QUEUE_BASE_URL", fake.BaseUrl ]), PollInterval = TimeSpan.FromMilliseconds 10.0)

        let! result = run provider AspectRatio.Landscape (GenerateOptions(Size = "1200x800", OutputFormat = "jpeg", Seed = 42))
        success result |> ignore
        let body = onlyBody fake.Submits
        Assert.Equal("""{"width":1200,"height":800}""", body["image_size"].ToJsonString())
        Assert.Equal("jpeg", body["output_format"].GetValue<string>())
        Assert.Equal(42, body["seed"].GetValue<int>())
    }

[<Fact>]
let ``xAI sends an exact size as its nearest ratio and resolution, and the result says which`` () =
    task {
        use home = new TestHome()
        use s = new LoopbackServer(Reply.routes [ generations, Reply.json 200 (b64Response (png 300)) ])

        let! result = run (xai home s) AspectRatio.Landscape (GenerateOptions(Size = "1920x1080"))
        let ok = success result
        let body = onlyBody s.Requests
        Assert.Equal("16:9", body["aspect_ratio"].GetValue<string>())
        Assert.Equal("2k", body["resolution"].GetValue<string>())
        Assert.Equal<obj>("1920x1080", ok.Extras["requested_size"])
        Assert.Equal<obj>("16:9", ok.Extras["aspect_ratio"])
        Assert.Equal<obj>("2k", ok.Extras["resolution"])
    }

[<Fact>]
let ``xAI sends a ratio W:H from its list as given`` () =
    task {
        use home = new TestHome()
        use s = new LoopbackServer(Reply.routes [ generations, Reply.json 200 (b64Response (png 300)) ])

        let! result = run (xai home s) AspectRatio.Landscape (GenerateOptions(Ratio = "19.5:9"))
        success result |> ignore
        let body = onlyBody s.Requests
        Assert.Equal("19.5:9", body["aspect_ratio"].GetValue<string>())
    }

[<Fact>]
let ``Gemini puts the nearest ratio and imageSize in imageConfig and the seed in generationConfig`` () =
    task {
        use home = new TestHome()
        use s = new LoopbackServer(Reply.routes [ GeminiProviderTests.flash, (Reply.json 200 (GeminiProviderTests.imageAnswer (png 300))) ])

        let provider =
            GeminiProviderTests.provider home s [ "GEMINI_API_KEY", GeminiProviderTests.key ]

        let! result = run provider AspectRatio.Landscape (GenerateOptions(Size = "2560x1080", Seed = 7))
        let ok = success result
        let config = (onlyBody s.Requests)["generationConfig"]
        Assert.Equal("""{"aspectRatio":"21:9","imageSize":"2K"}""", config["imageConfig"].ToJsonString())
        Assert.Equal(7, config["seed"].GetValue<int>())
        Assert.Equal<obj>("2560x1080", ok.Extras["requested_size"])
        Assert.Equal<obj>("21:9", ok.Extras["aspect_ratio"])
        Assert.Equal<obj>("2K", ok.Extras["image_size"])
    }

/// Each provider refuses a control it does not take (or a bad value) with InvalidArgument, and nothing reaches its fake.
let private refusals: (string * (TestHome -> LoopbackServer -> IImageGenProvider) * GenerateOptions * string) list =
    let openAi' home s = openAi home s [] :> IImageGenProvider
    let xai' home s = xai home s :> IImageGenProvider

    let gemini' home s =
        GeminiProviderTests.provider home s [ "GEMINI_API_KEY", GeminiProviderTests.key ] :> IImageGenProvider

    let fal' (home: TestHome) (s: LoopbackServer) =
        FalImageProvider(home.Context([ "FAL_KEY", "fal-test-key-123456"; "FAL_QUEUE_BASE_URL", s.BaseUrl ])) :> IImageGenProvider

    [
        "openai size rule", openAi', GenerateOptions(Size = "1000x1000"), "invalid size '1000x1000': size width and height must be multiples of 16"
        "openai seed", openAi', GenerateOptions(Seed = 3), "seed '3' is not taken by openai; it is taken by fal"
        "openai ratio", openAi', GenerateOptions(Ratio = "4:3"), "aspect ratio '4:3' is not taken by openai"
        "openai format", openAi', GenerateOptions(OutputFormat = "bmp"), "invalid output format 'bmp': allowed values are png, jpeg, webp"
        "openai compression", openAi', GenerateOptions(Compression = 50), "compression '50' needs output format jpeg or webp"
        "openai transparent jpeg", openAi', GenerateOptions(Background = "transparent", OutputFormat = "jpeg"), "background 'transparent' needs output format png or webp"
        "openai moderation", openAi', GenerateOptions(Moderation = "high"), "invalid moderation 'high': allowed values are low, auto"
        "xai quality", xai', GenerateOptions(Quality = "high"), "quality 'high' is not taken by xai"
        "xai ratio", xai', GenerateOptions(Ratio = "5:4"), "invalid aspect ratio '5:4' for xai"
        "xai background", xai', GenerateOptions(Background = "transparent"), "background 'transparent' is not taken by xai"
        "gemini format", gemini', GenerateOptions(OutputFormat = "png"), "output format 'png' is not taken by gemini"
        "gemini size", gemini', GenerateOptions(Size = "big"), "invalid size 'big'"
        "fal seed", fal', GenerateOptions(Model = "fal-ai/recraft/v4/pro/text-to-image", Seed = 1), "seed '1' is not taken by fal model fal-ai/recraft/v4/pro/text-to-image"
        "fal compression", fal', GenerateOptions(OutputFormat = "jpeg", Compression = 10), "compression '10' is not taken by fal model"
    ]

[<Fact>]
let ``every control a provider does not take, and every bad value, is refused before any request`` () =
    task {
        for name, make, options, expected in refusals do
            use home = new TestHome()
            use s = new LoopbackServer(Reply.json 200 (b64Response (png 100)))
            let! result = run (make home s) AspectRatio.Landscape options
            let error = expectErrorKind ErrorKind.InvalidArgument result
            Assert.True(error.Message.StartsWith expected, sprintf "%s: %s" name error.Message)
            Assert.True(s.Requests.IsEmpty, name)
    }
