module Hermes.Tests.Library.ImageGeneratorPipelineTests

// IImageGenerator, its builder and ImageGeneratingChatClient are marked experimental (MEAI001) by Microsoft.Extensions.AI itself.
#nowarn "57"

open System
open System.Collections.Generic
open System.IO
open System.Threading
open System.Threading.Tasks
open Microsoft.Extensions.AI
open Microsoft.Extensions.DependencyInjection
open Microsoft.Extensions.Logging
open Xunit
open Hermes.Domain
open Hermes
open Hermes.Providers.Library
open Hermes.Tests.Support
open Hermes.Tests.Support.Fakes

let generations = "POST", "/v1/images/generations"

/// OpenAI's images answer with its token counts, as gpt-image models report them.
let withUsageOf (count: int) (image: byte[]) =
    sprintf
        """{"created":1,"data":[%s],"usage":{"input_tokens":50,"output_tokens":4160,"total_tokens":4210,"input_tokens_details":{"text_tokens":40,"image_tokens":10}}}"""
        (List.replicate count (sprintf """{"b64_json":"%s"}""" (Convert.ToBase64String image))
         |> String.concat ",")

let imagesServer (answer: string) =
    new LoopbackServer(Reply.routes [ generations, Reply.json 200 answer ])

/// Settings for a test's own home; options not built from the environment read nothing of the machine running the tests.
let configure (home: TestHome) (env: (string * string) list) =
    HermesOptions(HermesHome = home.Path, Variables = readOnlyDict (("HOME", home.Path) :: env))

let openAiEnv (server: LoopbackServer) =
    [
        "OPENAI_API_KEY", "sk-test-abcdef123456"
        "OPENAI_BASE_URL", server.Url "/v1"
    ]

let xaiEnv (server: LoopbackServer) =
    [ "XAI_API_KEY", "xai-test-key-123456"; "XAI_BASE_URL", server.Url "/v1" ]

[<Fact>]
let ``AddHermesImageGeneration returns the MEAI builder: UseLogging, UseOpenTelemetry and ConfigureOptions wrap the Hermes generator`` () =
    task {
        use home = new TestHome()
        use api = imagesServer (b64Response (png 64))
        let services = ServiceCollection().AddLogging()

        services
            .AddHermesImageGeneration(configure home (openAiEnv api))
            .UseLogging()
            .UseOpenTelemetry()
            .ConfigureOptions(fun o -> o.ModelId <- "gpt-image-2-low")
        |> ignore

        use provider = services.BuildServiceProvider()
        let generator = provider.GetRequiredService<IImageGenerator>()
        Assert.NotNull(generator.GetService<LoggingImageGenerator>())
        Assert.NotNull(generator.GetService<OpenTelemetryImageGenerator>())
        Assert.NotNull(generator.GetService<HermesImageGenerator>())
        let! response = generator.GenerateImagesAsync("a fox")
        Assert.IsType<UriContent>(Assert.Single response.Contents) |> ignore
        Assert.Equal("low", jsonField (Assert.Single api.Requests).Body "quality")
    }

[<Fact>]
let ``AddKeyedHermesImageGenerator registers one generator per provider, each sending to its own provider`` () =
    task {
        use home = new TestHome()
        use openAi = imagesServer (b64Response (png 65))
        use xai = imagesServer (b64Response (png 66))
        let services = ServiceCollection()
        let both = configure home (openAiEnv openAi @ xaiEnv xai)
        services.AddKeyedHermesImageGenerator("xai", both) |> ignore
        services.AddKeyedHermesImageGenerator("openai", both) |> ignore
        use provider = services.BuildServiceProvider()
        Assert.Null(provider.GetService<IImageGenerator>())
        let! fromXai = provider.GetRequiredKeyedService<IImageGenerator>("xai").GenerateImagesAsync("a fox")
        let! fromOpenAi = provider.GetRequiredKeyedService<IImageGenerator>("openai").GenerateImagesAsync("a fox")
        Assert.Equal("xai", (fromXai.RawRepresentation :?> HermesResult).Provider)
        Assert.Equal("openai", (fromOpenAi.RawRepresentation :?> HermesResult).Provider)
        Assert.Single xai.Requests |> ignore
        Assert.Single openAi.Requests |> ignore
    }

[<Theory>]
[<InlineData("xai", "XAI_API_KEY", "x_ai", "https://api.x.ai/v1", "grok-imagine-image")>]
[<InlineData("openai", "OPENAI_API_KEY", "openai", "https://api.openai.com/v1", "gpt-image-2-medium")>]
[<InlineData("fal", "FAL_KEY", "fal", "https://queue.fal.run/", "fal-ai/flux-2/klein/9b")>]
let ``metadata names the provider by its OpenTelemetry name, with the endpoint it calls and its default model``
    (provider: string, key: string, name: string, endpoint: string, model: string)
    =
    use home = new TestHome()
    let services = ServiceCollection()

    services.AddKeyedHermesImageGenerator(provider, configure home [ key, "k-123456" ])
    |> ignore

    use container = services.BuildServiceProvider()

    let metadata =
        container.GetRequiredKeyedService<IImageGenerator>(provider).GetService<ImageGeneratorMetadata>()

    Assert.Equal((name, Uri endpoint, model), (metadata.ProviderName, metadata.ProviderUri, metadata.DefaultModelId))

[<Fact>]
let ``a moved base URL is the endpoint the metadata names`` () =
    use home = new TestHome()
    use api = imagesServer (b64Response (png 8))
    let services = ServiceCollection()
    services.AddHermesImageGeneration(configure home (xaiEnv api)) |> ignore
    use container = services.BuildServiceProvider()

    let metadata =
        container.GetRequiredService<IImageGenerator>().GetService<ImageGeneratorMetadata>()

    Assert.Equal(Uri(api.Url "/v1"), metadata.ProviderUri)

[<Fact>]
let ``Usage carries the provider's token counts, added up over every request of the call`` () =
    task {
        use home = new TestHome()

        use api =
            new LoopbackServer(
                Reply.routes
                    [
                        generations, fun r c -> Reply.json 200 (withUsageOf (askedImages r) (png 67)) r c
                    ]
            )

        let services = ServiceCollection()
        services.AddHermesImageGeneration(configure home (openAiEnv api)) |> ignore
        use provider = services.BuildServiceProvider()

        // 12 on OpenAI are two requests (n 10 and n 2), each reporting its own usage
        let! response = provider.GetRequiredService<IImageGenerator>().GenerateImagesAsync("a fox", ImageGenerationOptions(Count = 12))

        let usage = response.Usage
        Assert.Equal(2, api.Requests.Length)
        Assert.Equal(12, response.Contents.Count)

        Assert.Equal(
            (Nullable 100L, Nullable 8320L, Nullable 8420L, Nullable 80L),
            (usage.InputTokenCount, usage.OutputTokenCount, usage.TotalTokenCount, usage.InputTextTokenCount)
        )

        Assert.Equal<KeyValuePair<string, int64> list>(
            [ KeyValuePair("input_tokens_details.image_tokens", 20L) ],
            List.ofSeq usage.AdditionalCounts
        )
    }

[<Fact>]
let ``Usage is null when the provider reports no token counts`` () =
    task {
        use home = new TestHome()
        use api = imagesServer (b64Response (png 68))
        let services = ServiceCollection()
        services.AddHermesImageGeneration(configure home (xaiEnv api)) |> ignore
        use provider = services.BuildServiceProvider()
        let! response = provider.GetRequiredService<IImageGenerator>().GenerateImagesAsync("a fox")
        Assert.Null response.Usage
    }

/// A chat model that asks for one image through the tool it was offered, then answers in words once the tool has run.
type ScriptedChat(prompt: string) =
    let mutable offered: string list = []

    member _.Offered = offered

    interface IChatClient with
        member _.GetResponseAsync(messages: IEnumerable<ChatMessage>, options: ChatOptions, _: CancellationToken) =
            let last = Seq.last messages

            if last.Role = ChatRole.Tool then
                Task.FromResult(ChatResponse(ChatMessage(ChatRole.Assistant, "Here is your fox.")))
            else
                offered <- options.Tools |> Seq.map _.Name |> List.ofSeq
                let tool = options.Tools |> Seq.find (fun t -> t.Name.StartsWith "GenerateImage")

                let call =
                    FunctionCallContent("call-1", tool.Name, Dictionary(dict [ "prompt", box prompt ]))

                Task.FromResult(ChatResponse(ChatMessage(ChatRole.Assistant, [| call :> AIContent |])))

        member _.GetStreamingResponseAsync(_, _, _) =
            raise (NotSupportedException "the script only answers whole responses")

        member _.GetService(_, _) = null
        member _.Dispose() = ()

[<Fact>]
let ``ImageGeneratingChatClient uses Hermes as a chat agent's image tool`` () =
    task {
        use home = new TestHome()
        let image = png 69
        use api = imagesServer (b64Response image)
        let services = ServiceCollection()
        services.AddHermesImageGeneration(configure home (xaiEnv api)) |> ignore
        use provider = services.BuildServiceProvider()
        let script = new ScriptedChat("a red fox in snow")

        use chat =
            ChatClientBuilder(script).UseImageGeneration(provider.GetRequiredService<IImageGenerator>()).UseFunctionInvocation().Build()

        let tool =
            HostedImageGenerationTool(Options = ImageGenerationOptions(ResponseFormat = ImageGenerationResponseFormat.Data))

        let! response =
            chat.GetResponseAsync([ ChatMessage(ChatRole.User, "draw me a fox") ], ChatOptions(Tools = ResizeArray [ tool :> AITool ]))

        Assert.DoesNotContain(HostedImageGenerationTool().Name, script.Offered)
        Assert.Equal("a red fox in snow", jsonField (Assert.Single api.Requests).Body "prompt")

        let drawn =
            response.Messages
            |> Seq.collect _.Contents
            |> Seq.choose (function
                | :? ImageGenerationToolResultContent as r -> Some r
                | _ -> None)
            |> Seq.collect _.Outputs

        let data = Assert.IsType<DataContent>(Assert.Single drawn)
        Assert.Equal<byte[]>(image, data.Data.ToArray())
        Assert.Equal<byte[]>(image, File.ReadAllBytes(Path.Combine(home.CacheDir, data.Name)))
        Assert.Equal("Here is your fox.", response.Text)
    }
