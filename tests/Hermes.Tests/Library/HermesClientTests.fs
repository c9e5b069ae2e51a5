module Hermes.Tests.Library.HermesClientTests

// IImageGenerator is marked experimental (MEAI001) by Microsoft.Extensions.AI itself.
#nowarn "57"

open System
open System.IO
open System.Threading
open Microsoft.Extensions.AI
open Microsoft.Extensions.DependencyInjection
open Xunit
open Hermes.Domain
open Hermes
open Hermes.Providers.Library
open Hermes.Tests.Support
open Hermes.Tests.Support.Fakes

let k9b = FalCatalog.defaultModel

let client (home: TestHome) (env: (string * string) list) = HermesClient(home.Context env)

let parityScenarios = ParityScenarios.names

[<Theory; MemberData(nameof parityScenarios)>]
let ``parity through config.yaml and the environment: each scenario of fal-dispatch.md`` (name: string) =
    let scenario = ParityScenarios.named name
    use home = new TestHome()

    if scenario.Config <> Dispatch.emptySettings then
        home.WriteConfig(ParityScenarios.yaml scenario)

    Assert.Equal(scenario.Expected, Dispatch.reduce ((client home scenario.Env).Plan().Outcome.Decision))

[<Fact>]
let ``explicit fal without credentials fails at generation naming FAL_KEY`` () =
    task {
        use home = new TestHome()
        home.WriteConfig "image_gen:\n  provider: fal\n"
        let! result = (client home []).GenerateAsync("a fox", HermesGenerateOptions.Default, CancellationToken.None)
        Assert.False result.IsSuccess
        Assert.Equal("not_available", result.Error.ErrorType)
        Assert.Contains("FAL_KEY", result.Error.Message)
        Assert.Equal("fal", result.Provider)
    }

[<Fact>]
let ``a typo in image_gen.provider names the value and the registered names`` () =
    task {
        use home = new TestHome()
        home.WriteConfig "image_gen:\n  provider: grok\n"
        let! result = (client home [ "FAL_KEY", "k" ]).GenerateAsync("a fox", HermesGenerateOptions.Default, CancellationToken.None)
        Assert.Equal("provider_not_registered", result.Error.ErrorType)

        Assert.Equal(
            "image_gen.provider 'grok' is not a registered image provider; registered: fal, xai, openai, openai-codex, gemini",
            result.Error.Message
        )
    }

[<Fact>]
let ``the managed-gateway-only setup generates through the gateway on the legacy path`` () =
    task {
        use home = new TestHome()
        use fake = new FakeFal()

        let c =
            client
                home
                [
                    "TOOL_GATEWAY_USER_TOKEN", "nous-token"
                    "FAL_QUEUE_GATEWAY_URL", fake.BaseUrl
                ]

        Assert.Equal(Decision.LegacyFal(k9b, FalRoute.Gateway), c.Plan().Outcome.Decision)
        let! result = c.GenerateAsync("a fox", HermesGenerateOptions.Default, CancellationToken.None)
        Assert.True(result.IsSuccess, string result.Error)
        assertLocalFile home result.Image fake.Image
    }

/// xAI's generations answering with as many images as the request's n asks for.
let xaiServer () =
    new LoopbackServer(Reply.routes [ ("POST", "/v1/images/generations"), answerAsked ])

[<Fact>]
let ``with only XAI_API_KEY and no config, generate goes to xAI`` () =
    task {
        use home = new TestHome()
        use api = xaiServer ()
        let c = client home [ "XAI_API_KEY", "xai-k"; "XAI_BASE_URL", api.Url "/v1" ]
        let! result = c.GenerateAsync("a red fox in snow", HermesGenerateOptions.Default, CancellationToken.None)
        Assert.True(result.IsSuccess, string result.Error)
        Assert.Equal("xai", result.Provider)
        Assert.Equal("landscape", result.AspectRatio)
        Assert.True(File.Exists result.Image)
    }

[<Fact>]
let ``count runs as xAI's native n in one request and --out copies every image`` () =
    task {
        use home = new TestHome()
        use api = xaiServer ()
        let out = Path.Combine(home.Path, "out")
        let c = client home [ "XAI_API_KEY", "xai-k"; "XAI_BASE_URL", api.Url "/v1" ]

        let! result =
            c.GenerateAsync("fox", HermesGenerateOptions(Count = 3, OutputDirectory = out, Provider = "xai"), CancellationToken.None)

        Assert.True(result.IsSuccess, string result.Error)
        Assert.Equal(3, result.Images |> Seq.distinct |> Seq.length)
        Assert.All(result.Images, fun i -> Assert.Equal(out, Path.GetDirectoryName i))
        Assert.Equal(3, Directory.GetFiles(out, "*.png").Length)
        Assert.Equal(3, home.CachedFiles().Length)
        Assert.Equal(3, askedImages (Assert.Single api.Requests))
    }

[<Theory>]
[<InlineData("wide", 1, null, "invalid aspect ratio 'wide': allowed values are landscape, square, portrait, auto, or a ratio W:H such as 4:3")>]
[<InlineData("square", 0, null, "invalid count '0': allowed values are 1 to 16")>]
[<InlineData("square", 17, null, "invalid count '17': allowed values are 1 to 16")>]
[<InlineData("square", 1, "4k", "invalid resolution '4k': allowed values are 1k, 2k")>]
let ``bad input is refused with the value and the allowed set`` (aspect: string, count: int, resolution: string, message: string) =
    task {
        use home = new TestHome()

        let! result =
            (client home [ "XAI_API_KEY", "k" ])
                .GenerateAsync(
                    "fox",
                    HermesGenerateOptions(AspectRatio = aspect, Count = count, Resolution = resolution),
                    CancellationToken.None
                )

        Assert.Equal(("invalid_argument", message), (result.Error.ErrorType, result.Error.Message))
    }

[<Fact>]
let ``an unknown --model for the chosen provider is bad input`` () =
    task {
        use home = new TestHome()
        // the unknown model sends one look at xAI's live model list, here a loopback that has none
        use api = new LoopbackServer(Reply.json 404 """{"error":"no such route"}""")

        let! result =
            (client home [ "XAI_API_KEY", "k"; "XAI_BASE_URL", api.Url "/v1" ])
                .GenerateAsync("fox", HermesGenerateOptions(Provider = "xai", Model = "grok-2-image"), CancellationToken.None)

        Assert.Equal(
            "invalid model 'grok-2-image': allowed values are grok-imagine-image, grok-imagine-image-quality, grok-imagine-image-2.0 (provider xai)",
            result.Error.Message
        )

        Assert.Equal<string list>([ "GET /v1/image-generation-models" ], api.Requests |> List.map (fun r -> r.Method + " " + r.Path))
    }

let services (home: TestHome) (env: (string * string) list) =
    let collection = ServiceCollection()

    collection.AddHermesImageGeneration(HermesOptions(HermesHome = home.Path, Variables = readOnlyDict (("HOME", home.Path) :: env)))
    |> ignore

    collection.BuildServiceProvider()

[<Fact>]
let ``IImageGenerator through DI returns local file URIs, or bytes when asked`` () =
    task {
        use home = new TestHome()
        home.WriteConfig "image_gen:\n  provider: xai\n"
        use api = xaiServer ()

        use provider =
            services home [ "XAI_API_KEY", "xai-k"; "XAI_BASE_URL", api.Url "/v1" ]

        let generator = provider.GetRequiredService<IImageGenerator>()
        let! asUris = generator.GenerateImagesAsync("a fox", ImageGenerationOptions(ImageSize = Drawing.Size(1024, 1536), Count = 2))
        Assert.Equal(2, asUris.Contents.Count)

        for content in asUris.Contents do
            let uri = Assert.IsType<UriContent>(content)
            Assert.True(uri.Uri.IsFile)
            Assert.Equal("image/png", uri.MediaType)
            Assert.StartsWith(home.CacheDir, uri.Uri.LocalPath)

        // 1024x1536 is exactly xAI's 2:3
        Assert.Equal("2:3", jsonField api.Requests.Head.Body "aspect_ratio")

        let! asBytes =
            generator.GenerateImagesAsync(
                "a fox",
                ImageGenerationOptions(ResponseFormat = ImageGenerationResponseFormat.Data, ModelId = "grok-imagine-image")
            )

        let data = Assert.IsType<DataContent>(Assert.Single asBytes.Contents)
        Assert.Equal<byte[]>(File.ReadAllBytes(Path.Combine(home.CacheDir, data.Name)), data.Data.ToArray())

        let metadata =
            generator.GetService(typeof<ImageGeneratorMetadata>) :?> ImageGeneratorMetadata

        Assert.Equal("x_ai", metadata.ProviderName)
        Assert.Equal("grok-imagine-image", metadata.DefaultModelId)
    }

[<Fact>]
let ``IImageGenerator failures throw with the typed error`` () =
    task {
        use home = new TestHome()
        home.WriteConfig "image_gen:\n  provider: openai\n"
        // Blank values hide any key the machine running the tests may have.
        use provider =
            services home [ "OPENAI_API_KEY", ""; "OPENAI_BASE_URL", "http://127.0.0.1:9/v1" ]

        let generator = provider.GetRequiredService<IImageGenerator>()
        let! error = Assert.ThrowsAsync<HermesGenerationException>(fun () -> generator.GenerateImagesAsync("a fox") :> Threading.Tasks.Task)
        Assert.Equal("not_available", error.Error.ErrorType)
        Assert.Contains("OPENAI_API_KEY", error.Message)
    }

[<Fact>]
let ``the registry finds providers by name and by path-derived key; re-registering replaces`` () =
    use home = new TestHome()
    let ctx = home.Context []
    let registry = HermesClient.BundledRegistry ctx
    Assert.Equal<string list>([ "fal"; "xai"; "openai"; "openai-codex"; "gemini" ], registry.All |> Seq.map _.Name |> List.ofSeq)
    Assert.Same(registry.Find "xai", registry.Find "image_gen/xai")
    Assert.Null(registry.Find "image_gen/dalle")
    let replacement = Hermes.Providers.Xai.XaiImageProvider(ctx)
    registry.Register replacement |> ignore
    Assert.Same(replacement, registry.Find " xai ")
    Assert.Equal(5, registry.All.Count)

    Assert.Equal<string list>(
        [
            "image_gen/fal"
            "image_gen/xai"
            "image_gen/openai"
            "image_gen/openai-codex"
            "image_gen/gemini"
        ],
        registry.Statuses() |> Seq.map _.Key |> List.ofSeq
    )
