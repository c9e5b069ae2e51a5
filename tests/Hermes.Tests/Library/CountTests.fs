/// edits.md row "count": native n where the API has it (one request, every image saved with its sidecar), split at the
/// provider's max; one request an image where there is none (Codex, a FAL model without num_images).
module Hermes.Tests.Library.CountTests

open System
open System.IO
open System.Threading
open Xunit
open Hermes.Domain
open Hermes
open Hermes.Providers.Library
open Hermes.Tests.Support
open Hermes.Tests.Support.Fakes
open Hermes.Tests.Domain.EditTests
open Hermes.Tests.Providers.EditProviderTests
open Hermes.Tests.Providers

let private openAi (home: TestHome) (server: LoopbackServer) =
    HermesClient(home.Context([ "OPENAI_API_KEY", "sk-count-0123456789"; "OPENAI_BASE_URL", server.Url "/v1" ]))

let private generate (client: HermesClient) (options: HermesGenerateOptions) =
    client.GenerateAsync("a fox", options, CancellationToken.None)

/// The images each request asked for in its JSON `field` (n, num_images), smallest first.
let private askedIn (field: string) (requests: RecordedRequest list) =
    requests
    |> List.map (fun r -> (json r.Body).[field].GetValue<int>())
    |> List.sort

/// Every image is its own cache file with its provenance sidecar.
let private assertSavedWithSidecars (home: TestHome) (result: HermesResult) (count: int) =
    Assert.True(result.IsSuccess, sprintf "%A" result.Failures)
    Assert.Equal(count, result.Images.Count)
    Assert.Equal(count, result.Images |> Seq.distinct |> Seq.length)
    Assert.Equal<string[]>(result.Images |> Seq.sort |> Array.ofSeq, home.CachedFiles())

    for image in result.Images do
        Assert.True(File.Exists(Path.ChangeExtension(image, ".json")), image)

[<Fact>]
let ``count 4 on OpenAI is one request with n 4; four files, each with its sidecar`` () =
    task {
        use home = new TestHome()

        use server =
            new LoopbackServer(Reply.routes [ ("POST", "/v1/images/generations"), answerAsked ])

        let! result = generate (openAi home server) (HermesGenerateOptions(Provider = "openai", Count = 4))
        assertSavedWithSidecars home result 4
        let request = Assert.Single server.Requests
        Assert.Equal(4, (json request.Body).["n"].GetValue<int>())
    }

[<Fact>]
let ``count 13 on OpenAI is two requests, n 10 and n 3; thirteen files`` () =
    task {
        use home = new TestHome()

        use server =
            new LoopbackServer(Reply.routes [ ("POST", "/v1/images/generations"), answerAsked ])

        let! result = generate (openAi home server) (HermesGenerateOptions(Provider = "openai", Count = 13))
        assertSavedWithSidecars home result 13

        Assert.Equal<int list>([ 3; 10 ], askedIn "n" server.Requests)
    }

[<Fact>]
let ``an OpenAI edit with count 3 sends the multipart n part 3 in one request`` () =
    task {
        use home = new TestHome()
        use sources = new SourceDir()
        let source = sources.Write("cat.png", pngImage 64 64 6)

        use server =
            new LoopbackServer(Reply.routes [ ("POST", "/v1/images/edits"), answerAsked ])

        let! result = generate (openAi home server) (HermesGenerateOptions(Provider = "openai", Count = 3, Sources = [| source |]))

        assertSavedWithSidecars home result 3
        let request = Assert.Single server.Requests
        Assert.Contains("name=n", request.Body.Replace("\"", ""))
        Assert.Equal(3, askedImages request)
    }

[<Fact>]
let ``an xAI edit with count 2 sends n 2 in one request`` () =
    task {
        use home = new TestHome()
        use sources = new SourceDir()
        let source = sources.Write("cat.png", pngImage 64 64 6)

        use server =
            new LoopbackServer(Reply.routes [ ("POST", "/v1/images/edits"), answerAsked ])

        let client =
            HermesClient(home.Context([ "XAI_API_KEY", "xai-count-0123456789"; "XAI_BASE_URL", server.Url "/v1" ]))

        let! result = generate client (HermesGenerateOptions(Provider = "xai", Count = 2, Sources = [| source |]))
        assertSavedWithSidecars home result 2
        // besides the live model list xAI's edit asks about, one POST
        let post =
            Assert.Single(server.Requests |> List.filter (fun r -> r.Method = "POST"))

        Assert.Equal(2, (json post.Body).["n"].GetValue<int>())
    }

let private fal (home: TestHome) (fake: FakeFal) =
    HermesClient(home.Context([ "FAL_KEY", "fal-count-key-123456"; "FAL_QUEUE_BASE_URL", fake.BaseUrl ]))

[<Fact>]
let ``a FAL model with num_images makes count 3 in one request`` () =
    task {
        use home = new TestHome()
        use fake = new FakeFal()

        let! result = generate (fal home fake) (HermesGenerateOptions(Provider = "fal", Model = "fal-ai/nano-banana-2", Count = 3))

        assertSavedWithSidecars home result 3
        let submit = Assert.Single fake.Submits
        Assert.Equal(3, (json submit.Body).["num_images"].GetValue<int>())
    }

[<Fact>]
let ``count 6 on a FAL model of max 4 is two requests, 4 and 2`` () =
    task {
        use home = new TestHome()
        use fake = new FakeFal()

        let! result = generate (fal home fake) (HermesGenerateOptions(Provider = "fal", Model = "fal-ai/nano-banana-2", Count = 6))

        assertSavedWithSidecars home result 6

        Assert.Equal<int list>([ 2; 4 ], askedIn "num_images" fake.Submits)
    }

[<Fact>]
let ``a FAL model without num_images asks one request an image`` () =
    task {
        use home = new TestHome()
        use fake = new FakeFal()
        let! result = generate (fal home fake) (HermesGenerateOptions(Provider = "fal", Model = FalCatalog.defaultModel, Count = 2))
        assertSavedWithSidecars home result 2
        Assert.Equal(2, fake.Submits.Length)
        Assert.All(fake.Submits, fun s -> Assert.Null((json s.Body).["num_images"]))
    }

[<Fact>]
let ``Codex has no n: count 3 is three requests`` () =
    task {
        use home = new TestHome()
        Hermes.Tests.Providers.CodexProviderTests.signInCodex home (Hermes.Tests.Providers.CodexProviderTests.freshToken ())

        use server =
            new LoopbackServer(
                Reply.routes
                    [
                        Hermes.Tests.Providers.CodexProviderTests.responses,
                        Hermes.Tests.Providers.CodexProviderTests.stream
                            (Hermes.Tests.Providers.CodexProviderTests.imageEvents (png 10) (png 4000))
                            false
                    ]
            )

        let client =
            HermesClient(home.Context([ "HERMES_CODEX_BASE_URL", server.Url "/backend-api/codex" ]))

        let! result = generate client (HermesGenerateOptions(Provider = "openai-codex", Count = 3))
        assertSavedWithSidecars home result 3
        Assert.Equal(3, server.Requests.Length)
    }

[<Fact>]
let ``progress of one request of several images reaches each image's line`` () =
    task {
        use home = new TestHome()

        use server =
            new LoopbackServer(Reply.routes [ ("POST", "/v1/images/generations"), answerAsked ])

        let seen = Collections.Concurrent.ConcurrentBag<int>()

        let progress =
            { new IProgress<GenerationProgress> with
                member _.Report p = seen.Add p.Image
            }

        let! result = generate (openAi home server) (HermesGenerateOptions(Provider = "openai", Count = 3, Progress = progress))

        Assert.True(result.IsSuccess)
        Assert.Equal<int list>([ 1; 2; 3 ], seen |> Seq.distinct |> Seq.sort |> List.ofSeq)
    }

[<Fact>]
let ``an Azure endpoint takes n like OpenAI: count 12 is two requests to the deployment, n 10 and n 2`` () =
    task {
        use home = new TestHome()

        use server =
            new LoopbackServer(Reply.routes [ EndpointProviderTests.azureGenerations, answerAsked ])

        home.WriteConfig(EndpointProviderTests.endpointsYaml server)
        let client = HermesClient(home.Context EndpointProviderTests.keys)
        let! result = generate client (HermesGenerateOptions(Provider = "my-azure", Count = 12))
        assertSavedWithSidecars home result 12
        Assert.Equal<int list>([ 2; 10 ], askedIn "n" server.Requests)
    }

[<Fact>]
let ``an endpoint with max_images 1 gets one request an image: count 3 is three requests of n 1`` () =
    task {
        use home = new TestHome()

        use server =
            new LoopbackServer(Reply.routes [ ("POST", "/v1/images/generations"), answerAsked ])

        home.WriteConfig(
            (EndpointProviderTests.endpointsYaml server)
                .Replace("      kind: openai\n", "      kind: openai\n      max_images: 1\n")
        )

        let client = HermesClient(home.Context EndpointProviderTests.keys)
        let! result = generate client (HermesGenerateOptions(Provider = "my-gateway", Count = 3))
        assertSavedWithSidecars home result 3
        Assert.Equal<int list>([ 1; 1; 1 ], askedIn "n" server.Requests)
    }

[<Fact>]
let ``flux-2-pro upscales every image of its one request`` () =
    task {
        use home = new TestHome()
        use fake = new FakeFal()

        let! result = generate (fal home fake) (HermesGenerateOptions(Provider = "fal", Model = "fal-ai/flux-2-pro", Count = 2))

        assertSavedWithSidecars home result 2

        Assert.Equal<string list>(
            [ "/fal-ai/clarity-upscaler"; "/fal-ai/clarity-upscaler"; "/fal-ai/flux-2-pro" ],
            fake.Submits |> List.map _.Path |> List.sort
        )

        Assert.All(result.Images, fun image -> Assert.Equal<byte[]>(fake.Upscaled, File.ReadAllBytes image))
    }
