module Hermes.Tests.Library.OutputControlsLibraryTests

// IImageGenerator is marked experimental (MEAI001) by Microsoft.Extensions.AI itself.
#nowarn "57"

open System.Drawing
open Microsoft.Extensions.AI
open Xunit
open Hermes
open Hermes.Providers.Library
open Hermes.Tests.Support
open Hermes.Tests.Support.Fakes
open Hermes.Tests.Library.EditLibraryTests

let private generations = "POST", "/v1/images/generations"

let private options (size: Size option) (mediaType: string option) (extra: (string * obj) list) =
    let options = ImageGenerationOptions()
    size |> Option.iter (fun s -> options.ImageSize <- s)
    mediaType |> Option.iter (fun m -> options.MediaType <- m)
    let properties = AdditionalPropertiesDictionary()

    for key, value in extra do
        properties[key] <- value

    options.AdditionalProperties <- properties
    options

[<Fact>]
let ``ImageSize, MediaType and the AdditionalProperties controls reach OpenAI's body`` () =
    task {
        use home = new TestHome()
        use server = new LoopbackServer(Reply.routes [ generations, Reply.json 200 (b64Response (png 300)) ])

        let services, generator =
            generatorFor home "openai" [ "OPENAI_API_KEY", "sk-test-abcdef123456"; "OPENAI_BASE_URL", server.Url "/v1" ]

        use _ = services

        let asked =
            options
                (Some(Size(1536, 1024)))
                (Some "image/jpeg")
                [ "quality", box "low"; "background", box "opaque"; "moderation", box "low"; "compression", box 70 ]

        let! response = generator.GenerateImagesAsync("a lighthouse", asked)
        let result = Assert.IsType<HermesResult>(response.RawRepresentation)
        Assert.Equal("landscape", result.AspectRatio)

        assertJson
            """{"model":"gpt-image-2","prompt":"a lighthouse","size":"1536x1024","n":1,"quality":"low","output_format":"jpeg","output_compression":70,"background":"opaque","moderation":"low"}"""
            (Assert.Single(posts server)).Body
    }

[<Fact>]
let ``an ImageSize xAI cannot make exactly is sent as the nearest ratio and resolution, reported in the extras`` () =
    task {
        use home = new TestHome()
        use server = new LoopbackServer(Reply.routes [ generations, Reply.json 200 (b64Response (png 300)) ])

        let services, generator =
            generatorFor home "xai" [ "XAI_API_KEY", "xai-k"; "XAI_BASE_URL", server.Url "/v1" ]

        use _ = services
        let! response = generator.GenerateImagesAsync("a lighthouse", options (Some(Size(1000, 1500))) None [])
        let result = Assert.IsType<HermesResult>(response.RawRepresentation)
        Assert.Equal<obj>("1000x1500", result.Extras["requested_size"])
        Assert.Equal<obj>("2:3", result.Extras["aspect_ratio"])
        let body = json (Assert.Single(posts server)).Body
        Assert.Equal("2:3", body["aspect_ratio"].GetValue<string>())
        Assert.Equal("1k", body["resolution"].GetValue<string>())
    }

[<Fact>]
let ``a seed and an aspect_ratio W:H in AdditionalProperties reach Gemini`` () =
    task {
        use home = new TestHome()

        use server =
            new LoopbackServer(
                Reply.routes [ Hermes.Tests.Providers.GeminiProviderTests.flash, Reply.json 200 (Hermes.Tests.Providers.GeminiProviderTests.imageAnswer (png 300)) ]
            )

        let services, generator =
            generatorFor home "gemini" [ "GEMINI_API_KEY", "AIza-test-0123456789abcdef"; "GEMINI_BASE_URL", server.BaseUrl ]

        use _ = services
        let! response = generator.GenerateImagesAsync("a lighthouse", options None None [ "aspect_ratio", box "4:5"; "seed", box 99 ])
        let result = Assert.IsType<HermesResult>(response.RawRepresentation)
        Assert.Equal("4:5", result.AspectRatio)
        let body = json (Assert.Single(posts server)).Body
        let config = body["generationConfig"]
        Assert.Equal("4:5", config["imageConfig"].["aspectRatio"].GetValue<string>())
        Assert.Equal(99, config["seed"].GetValue<int>())
    }

[<Fact>]
let ``a control the provider does not take is a HermesGenerationException and nothing is sent`` () =
    task {
        use home = new TestHome()
        use server = new LoopbackServer(Reply.json 200 (b64Response (png 300)))

        let services, generator =
            generatorFor home "xai" [ "XAI_API_KEY", "xai-k"; "XAI_BASE_URL", server.Url "/v1" ]

        use _ = services

        let! error =
            Assert.ThrowsAsync<HermesGenerationException>(fun () ->
                generator.GenerateImagesAsync("a lighthouse", options None (Some "image/webp") []) :> System.Threading.Tasks.Task)

        Assert.Equal("output format 'webp' is not taken by xai; it is taken by openai and openai-codex and fal", error.Message)

        let! bmp =
            Assert.ThrowsAsync<HermesGenerationException>(fun () ->
                generator.GenerateImagesAsync("a lighthouse", options None (Some "image/bmp") []) :> System.Threading.Tasks.Task)

        Assert.Equal("invalid MediaType 'image/bmp': allowed values are image/png, image/jpeg, image/webp", bmp.Message)
        Assert.Empty(server.Requests)
    }
