/// trust.md "Money": an image that was generated is never lost; when one of N fails, the others are reported.
module Hermes.Tests.Trust.PartialSuccessTests

open System.IO
open System.Threading
open Xunit
open Hermes
open Hermes.Providers.Library
open Hermes.Tests.Support
open Hermes.Tests.Support.Fakes
open Hermes.Tests.Trust.HostileFakes

let generations = "POST", "/v1/images/generations"

let client (home: TestHome) (fake: LoopbackServer) =
    HermesClient(home.Context([ "XAI_API_KEY", "xai-partial-0123456789"; "XAI_BASE_URL", fake.Url "/v1" ]))

let three (outDir: string option) =
    HermesGenerateOptions(Provider = "xai", Count = 3, OutputDirectory = Option.toObj outDir)

/// Three generations where the second to arrive gets `failing`; the other two get a distinct image each.
let oneOfThreeFails (failing: Reply) =
    new LoopbackServer(
        Reply.routes
            [
                generations,
                Reply.sequence
                    [
                        Reply.json 200 (b64Response (png 101))
                        failing
                        Reply.json 200 (b64Response (png 103))
                    ]
            ]
    )

[<Fact>]
let ``partial success: when one of three fails, the two images made are reported with the one failure`` () =
    task {
        use home = new TestHome()

        use fake =
            oneOfThreeFails (Reply.json 500 (errorBody "server_error" "the GPU caught fire"))

        let! result = (client home fake).GenerateAsync("a fox", three None, CancellationToken.None)
        Assert.True(result.IsPartial)
        Assert.False(result.IsSuccess)
        Assert.Equal(2, result.Images.Count)
        Assert.All(result.Images, fun image -> Assert.True(File.Exists image, image))
        Assert.Equal(2, home.CachedFiles().Length)

        Assert.Equal<byte[] list>(
            [ png 101; png 103 ] |> List.sortBy (fun b -> b.Length),
            result.Images
            |> Seq.map File.ReadAllBytes
            |> List.ofSeq
            |> List.sortBy (fun b -> b.Length)
        )

        let failure = Assert.Single result.Failures
        Assert.Equal("provider_error", failure.ErrorType)
        Assert.Contains("the GPU caught fire", failure.Message)
        Assert.Equal(3, fake.Requests.Length)
    }

[<Fact>]
let ``partial success: with --out the two images made are copied and the failure still reported`` () =
    task {
        use home = new TestHome()
        let out = Path.Combine(home.Path, "out")

        use fake =
            oneOfThreeFails (Reply.json 400 (errorBody "moderation_blocked" "rejected by the safety system"))

        let! result = (client home fake).GenerateAsync("a fox", three (Some out), CancellationToken.None)
        Assert.Equal(2, result.Images.Count)
        Assert.All(result.Images, fun image -> Assert.Equal(out, Path.GetDirectoryName image))
        Assert.All(result.Images, fun image -> Assert.True(File.Exists image, image))
        Assert.Equal(2, Directory.GetFiles(out, "*.png").Length)
        Assert.Equal("content_policy", (Assert.Single result.Failures).ErrorType)
    }

[<Fact>]
let ``partial success: a hostile URL for one image does not cost the other two`` () =
    task {
        use home = new TestHome()
        use fake = oneOfThreeFails (Reply.json 200 (urlAnswer "file:///etc/hostname"))
        let! result = (client home fake).GenerateAsync("a fox", three None, CancellationToken.None)
        Assert.Equal(2, result.Images.Count)
        Assert.All(result.Images, fun image -> Assert.True(File.Exists image, image))
        Assert.Equal("invalid_response", (Assert.Single result.Failures).ErrorType)
        Assert.DoesNotContain("file:///etc/hostname", result.Images)
    }

[<Fact>]
let ``partial success: when all three fail there is no image and three typed failures`` () =
    task {
        use home = new TestHome()

        use fake =
            new LoopbackServer(Reply.routes [ generations, Reply.json 500 (errorBody "x" "down") ])

        let! result = (client home fake).GenerateAsync("a fox", three None, CancellationToken.None)
        Assert.False(result.IsSuccess)
        Assert.False(result.IsPartial)
        Assert.Empty(result.Images)
        Assert.Equal(3, result.Failures.Count)
        Assert.All(result.Failures, fun f -> Assert.Equal("provider_error", f.ErrorType))
        Assert.Empty(home.CachedFiles())
    }
