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

let asking (count: int) (outDir: string option) =
    HermesGenerateOptions(Provider = "xai", Count = count, OutputDirectory = Option.toObj outDir)

let three = asking 3

/// 13 images on xAI are two requests (n 10 and n 3); the one asking for 3 gets `failing`, the other its 10 images.
let threeOfThirteenFail (failing: Reply) =
    new LoopbackServer(
        Reply.routes
            [
                generations,
                fun request ctx ->
                    if askedImages request = 3 then
                        failing request ctx
                    else
                        answerAsked request ctx
            ]
    )

/// Exactly `count` failures, one per missing image, each of `errorType` and a message `check` accepts.
let assertFailures (result: HermesResult) (count: int) (errorType: string) (check: string -> unit) =
    Assert.Equal(count, result.Failures.Count)

    for failure in result.Failures do
        Assert.Equal(errorType, failure.ErrorType)
        check failure.Message

[<Fact>]
let ``partial success: when one of two requests fails, the ten images made are reported with one failure per missing image`` () =
    task {
        use home = new TestHome()

        use fake =
            threeOfThirteenFail (Reply.json 500 (errorBody "server_error" "the GPU caught fire"))

        let! result = (client home fake).GenerateAsync("a fox", asking 13 None, CancellationToken.None)
        Assert.True(result.IsPartial)
        Assert.False(result.IsSuccess)
        Assert.Equal(10, result.Images.Count)
        Assert.Equal(10, result.Images |> Seq.distinct |> Seq.length)
        Assert.All(result.Images, fun image -> Assert.True(File.Exists image, image))
        Assert.Equal(10, home.CachedFiles().Length)
        assertFailures result 3 "provider_error" (fun message -> Assert.Contains("the GPU caught fire", message))

        Assert.Equal<int list>([ 3; 10 ], fake.Requests |> List.map askedImages |> List.sort)
    }

[<Fact>]
let ``partial success: with --out the images made are copied and the failures still reported`` () =
    task {
        use home = new TestHome()
        let out = Path.Combine(home.Path, "out")

        use fake =
            threeOfThirteenFail (Reply.json 400 (errorBody "moderation_blocked" "rejected by the safety system"))

        let! result = (client home fake).GenerateAsync("a fox", asking 13 (Some out), CancellationToken.None)
        Assert.Equal(10, result.Images.Count)
        Assert.All(result.Images, fun image -> Assert.Equal(out, Path.GetDirectoryName image))
        Assert.All(result.Images, fun image -> Assert.True(File.Exists image, image))
        Assert.Equal(10, Directory.GetFiles(out, "*.png").Length)
        assertFailures result 3 "content_policy" ignore
    }

[<Fact>]
let ``partial success: a hostile URL for one image of an answer does not cost the other two`` () =
    task {
        use home = new TestHome()

        let answer =
            sprintf
                """{"created":1,"data":[{"b64_json":"%s"},{"url":"file:///etc/hostname"},{"b64_json":"%s"}]}"""
                (System.Convert.ToBase64String(png 101))
                (System.Convert.ToBase64String(png 103))

        use fake = new LoopbackServer(Reply.routes [ generations, Reply.json 200 answer ])
        let! result = (client home fake).GenerateAsync("a fox", three None, CancellationToken.None)
        Assert.Equal(2, result.Images.Count)
        Assert.All(result.Images, fun image -> Assert.True(File.Exists image, image))
        Assert.Equal<byte[] list>([ png 101; png 103 ], result.Images |> Seq.map File.ReadAllBytes |> List.ofSeq)
        Assert.Equal("invalid_response", (Assert.Single result.Failures).ErrorType)
        Assert.DoesNotContain("file:///etc/hostname", result.Images)
        Assert.Equal(3, askedImages (Assert.Single fake.Requests))
    }

[<Fact>]
let ``a short answer keeps every image that came and reports the missing ones as the shortfall`` () =
    task {
        use home = new TestHome()

        use fake =
            new LoopbackServer(Reply.routes [ generations, Reply.json 200 (b64ResponseOf [ png 201; png 202 ]) ])

        let! result = (client home fake).GenerateAsync("a fox", asking 4 None, CancellationToken.None)
        Assert.True(result.IsPartial)
        Assert.Equal(2, result.Images.Count)
        Assert.Equal(2, home.CachedFiles().Length)
        assertFailures result 2 "no_image" (fun message ->
            Assert.Equal("xAI Grok Imagine returned 2 of the 4 images asked for in one request", message))
    }

[<Fact>]
let ``an answer with more images than asked keeps them all and says so`` () =
    task {
        use home = new TestHome()

        use fake =
            new LoopbackServer(Reply.routes [ generations, Reply.json 200 (b64ResponseOf [ png 301; png 302; png 303 ]) ])

        let! result = (client home fake).GenerateAsync("a fox", asking 2 None, CancellationToken.None)
        Assert.True(result.IsSuccess)
        Assert.Equal(3, result.Images.Count)
        Assert.Equal(3, home.CachedFiles().Length)
        Assert.Equal(box 1, result.Extras[HermesClient.BeyondCount])
        // every image has its sidecar
        Assert.All(result.Images, fun image -> Assert.True(File.Exists(Path.ChangeExtension(image, ".json")), image))
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
        // one request asked for all three: its failure stands for each
        Assert.Equal(3, askedImages (Assert.Single fake.Requests))
    }
