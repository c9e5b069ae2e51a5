module Hermes.Tests.Library.EditLibraryTests

// IImageGenerator is marked experimental (MEAI001) by Microsoft.Extensions.AI itself.
#nowarn "57"

open System
open System.Threading
open Microsoft.Extensions.AI
open Microsoft.Extensions.DependencyInjection
open Xunit
open Hermes.Domain
open Hermes
open Hermes.Providers.Library
open Hermes.Tests.Support
open Hermes.Tests.Support.Fakes
open Hermes.Tests.Domain.EditTests
open Hermes.Tests.Providers.EditProviderTests

let api (reference: byte[]) =
    new LoopbackServer(
        Reply.routes
            [
                edits, answerEach (png 1200)
                ("GET", "/v1/ref.jpg"), Reply.bytes 200 "image/jpeg" reference
            ]
    )

let posts (server: LoopbackServer) =
    server.Requests |> List.filter (fun r -> r.Method = "POST")

let generatorFor (home: TestHome) (provider: string) (env: (string * string) list) =
    home.WriteConfig(sprintf "image_gen:\n  provider: %s\n" provider)
    let services = HermesClientTests.services home env
    services, services.GetRequiredService<IImageGenerator>()

[<Fact>]
let ``EditImagesAsync sends DataContent as bytes and UriContent as its URL, and returns the edited image as a local file`` () =
    task {
        use home = new TestHome()
        use server = api (jpeg 500)

        let services, generator =
            generatorFor home "xai" [ "XAI_API_KEY", "xai-k"; "XAI_BASE_URL", server.Url "/v1" ]

        use _ = services

        let originals: AIContent list =
            [ DataContent(photo, "image/png"); UriContent(Uri(server.Url "/v1/ref.jpg"), "image/jpeg") ]

        let! response = generator.EditImagesAsync(originals, "make it night")
        let uri = Assert.IsType<UriContent>(Assert.Single response.Contents)
        Assert.True(uri.Uri.IsFile)
        Assert.StartsWith(home.CacheDir, uri.Uri.LocalPath)
        let result = Assert.IsType<HermesResult>(response.RawRepresentation)
        Assert.Equal<obj>(2, result.Extras["source_count"])
        let body = json (Assert.Single(posts server)).Body

        Assert.Equal<string list>(
            [ dataUrl "image/png" photo; server.Url "/v1/ref.jpg" ],
            body["images"].AsArray() |> Seq.map (fun i -> textAt i [ "url" ]) |> List.ofSeq
        )
    }

[<Fact>]
let ``EditImageAsync with a mask in AdditionalProperties sends OpenAI the image[] and mask parts`` () =
    task {
        use home = new TestHome()
        use server = api (jpeg 10)

        let services, generator =
            generatorFor home "openai" [ "OPENAI_API_KEY", "sk-test-abcdef123456"; "OPENAI_BASE_URL", server.Url "/v1" ]

        use _ = services
        let options = ImageGenerationOptions()
        options.AdditionalProperties <- AdditionalPropertiesDictionary()
        options.AdditionalProperties["mask"] <- DataContent(maskPng, "image/png")

        let! response = generator.EditImageAsync(DataContent(photo, "image/png"), "a window here", options)
        Assert.Single response.Contents |> ignore
        let parts = formParts (Assert.Single(posts server))
        Assert.Equal<string list>([ "image[]"; "mask" ], parts |> List.filter _.FileName.IsSome |> List.map _.Name)
        Assert.Equal<byte[]>(maskPng, (parts |> List.find (fun p -> p.Name = "mask")).Bytes)
    }

[<Fact>]
let ``EditImagesAsync refuses what a provider cannot take with the typed error and sends nothing`` () =
    task {
        use home = new TestHome()
        use server = api (jpeg 10)

        let services, generator =
            generatorFor home "xai" [ "XAI_API_KEY", "xai-k"; "XAI_BASE_URL", server.Url "/v1" ]

        use _ = services

        let four: AIContent list = List.replicate 4 (DataContent(photo, "image/png") :> AIContent)
        let! tooMany =
            Assert.ThrowsAsync<HermesGenerationException>(fun () -> generator.EditImagesAsync(four, "x") :> Threading.Tasks.Task)

        Assert.Equal("invalid_argument", tooMany.Error.ErrorType)
        Assert.Equal("xai model 'grok-imagine-image' takes at most 3 source images, got 4", tooMany.Message)

        let text: AIContent list = [ TextContent "not an image" ]

        let! notContent =
            Assert.ThrowsAsync<HermesGenerationException>(fun () -> generator.EditImagesAsync(text, "x") :> Threading.Tasks.Task)

        Assert.Equal("original image 1 is a TextContent; allowed: DataContent or UriContent", notContent.Message)
        Assert.Empty(server.Requests)
    }

[<Fact>]
let ``HermesClient edits with Sources; every one of Count images is an edit of the same sources`` () =
    task {
        use home = new TestHome()
        use dir = new SourceDir()
        use server = api (jpeg 10)

        let client =
            HermesClient(home.Context [ "XAI_API_KEY", "xai-k"; "XAI_BASE_URL", server.Url "/v1" ])

        let source = dir.Write("cat.png", photo)

        let! result =
            client.GenerateAsync("give it a hat", HermesGenerateOptions(Provider = "xai", Count = 2, Sources = [ source ]), CancellationToken.None)

        Assert.True(result.IsSuccess, string result.Error)
        Assert.Equal(2, result.Images.Count)
        Assert.Equal("grok-imagine-image-quality", result.Model)
        // xAI edits take n: one request makes both
        Assert.Equal(2, askedImages (Assert.Single(posts server)))

        Assert.All(posts server, fun post -> Assert.Equal(dataUrl "image/png" photo, textAt (json post.Body) [ "image"; "url" ]))
    }
