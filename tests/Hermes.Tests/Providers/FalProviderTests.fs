module Hermes.Tests.Providers.FalProviderTests

open System
open System.Threading
open Xunit
open Hermes.Domain
open Hermes
open Hermes.Providers.Core
open Hermes.Providers.Fal
open Hermes.Tests.Support
open Hermes.Tests.Support.Fakes

let direct (home: TestHome) (fake: FakeFal) (logs: CapturedLogs) =
    FalImageProvider(
        home.Context([ "FAL_KEY", "fal-test-key-123456"; "FAL_QUEUE_BASE_URL", fake.BaseUrl ], logs),
        PollInterval = TimeSpan.FromMilliseconds 10.0
    )

type Recorder() =
    let stages = Collections.Concurrent.ConcurrentQueue<string>()
    member _.Stages = stages |> List.ofSeq

    interface IProgress<GenerationProgress> with
        member _.Report p = stages.Enqueue p.Stage

[<Fact>]
let ``a slow queue is polled to completion, with progress, and the image is cached`` () =
    task {
        use home = new TestHome()
        use fake = new FakeFal(pollsBeforeDone = 4)
        let progress = Recorder()

        let! result =
            (direct home fake (CapturedLogs()))
                .GenerateAsync("a lighthouse", AspectRatio.Landscape, GenerateOptions(Progress = progress), CancellationToken.None)

        let ok = success result
        assertLocalFile home ok.Image fake.Image
        Assert.Equal("fal-ai/flux-2/klein/9b", ok.Model)
        Assert.Equal<obj>("direct", ok.Extras["route"])
        Assert.Equal<obj>(false, ok.Extras["upscaled"])
        Assert.Equal<string list>([ "queued"; "queued"; "generating"; "generating"; "downloading" ], progress.Stages)
        let submit = Assert.Single fake.Submits
        Assert.Equal("/fal-ai/flux-2/klein/9b", submit.Path)
        Assert.Equal(Some "Key fal-test-key-123456", submit.Header "Authorization")
        Assert.True((submit.Header "x-idempotency-key").IsSome)
        let model = FalCatalog.tryModel "fal-ai/flux-2/klein/9b" |> Option.get
        assertJson ((FalPayload.build model "a lighthouse" AspectRatio.Landscape FalPayload.noOverrides).ToJsonString()) submit.Body

        Assert.All(
            fake.Requests |> List.filter (fun r -> r.Path.StartsWith "/q/"),
            fun r -> Assert.Equal(Some "Key fal-test-key-123456", r.Header "Authorization")
        )
    }

[<Fact>]
let ``flux-2-pro chains the Clarity upscaler and returns the upscaled image`` () =
    task {
        use home = new TestHome()
        use fake = new FakeFal(pollsBeforeDone = 2)

        let! result =
            (direct home fake (CapturedLogs()))
                .GenerateAsync("a fox", AspectRatio.Square, GenerateOptions(Model = "fal-ai/flux-2-pro", Seed = 7), CancellationToken.None)

        let ok = success result
        assertLocalFile home ok.Image fake.Upscaled
        Assert.Equal<obj>(true, ok.Extras["upscaled"])
        let submits = fake.Submits
        Assert.Equal<string list>([ "/fal-ai/flux-2-pro"; "/fal-ai/clarity-upscaler" ], submits |> List.map _.Path)
        Assert.Equal(7, (json submits.Head.Body).["seed"].GetValue<int>())
        assertJson ((FalPayload.upscale (fake.BaseUrl + "/files/out.png") "a fox").ToJsonString()) (List.last submits).Body
    }

[<Fact>]
let ``a failed upscale keeps the original image with a warning`` () =
    task {
        use home = new TestHome()
        use fake = new FakeFal(upscalerFails = true)
        let logs = CapturedLogs()

        let! result =
            (direct home fake logs)
                .GenerateAsync("a fox", AspectRatio.Square, GenerateOptions(Model = "fal-ai/flux-2-pro"), CancellationToken.None)

        let ok = success result
        assertLocalFile home ok.Image fake.Image
        Assert.Equal<obj>(false, ok.Extras["upscaled"])
        Assert.Contains("upscaling failed", Assert.Single logs.Warnings)
    }

[<Fact>]
let ``upscaling can be asked for on any model, or turned off`` () =
    task {
        use home = new TestHome()
        use fake = new FakeFal()
        let p = direct home fake (CapturedLogs())
        let! on = p.GenerateAsync("a", AspectRatio.Square, GenerateOptions(Upscale = true), CancellationToken.None)

        let! off =
            p.GenerateAsync("a", AspectRatio.Square, GenerateOptions(Model = "fal-ai/flux-2-pro", Upscale = false), CancellationToken.None)

        Assert.Equal<obj>(true, (success on).Extras["upscaled"])
        Assert.Equal<obj>(false, (success off).Extras["upscaled"])
        Assert.Equal(3, fake.Submits.Length)
    }

[<Fact>]
let ``a failed request carries FAL's own message`` () =
    task {
        use home = new TestHome()
        use failedResult = new FakeFal(outcome = FalOutcome.FailedResult)
        use errorStatus = new FakeFal(outcome = FalOutcome.ErrorStatus)

        let! r1 =
            (direct home failedResult (CapturedLogs()))
                .GenerateAsync("a", AspectRatio.Square, GenerateOptions.Default, CancellationToken.None)

        let! r2 =
            (direct home errorStatus (CapturedLogs()))
                .GenerateAsync("a", AspectRatio.Square, GenerateOptions.Default, CancellationToken.None)

        Assert.Equal(("invalid_request", "FAL returned HTTP 422: prompt is too long"), ((failure r1).ErrorType, (failure r1).Error.Message))
        Assert.Equal("FAL failed to generate with fal-ai/flux-2/klein/9b: the model crashed", (failure r2).Error.Message)
        Assert.Empty(home.CachedFiles())
    }

[<Fact>]
let ``a rejected key is an auth error`` () =
    task {
        use home = new TestHome()
        use fake = new FakeFal(submitStatus = 401)

        let! result =
            (direct home fake (CapturedLogs())).GenerateAsync("a", AspectRatio.Square, GenerateOptions.Default, CancellationToken.None)

        Assert.Equal(("auth", "FAL returned HTTP 401: Invalid key"), ((failure result).ErrorType, (failure result).Error.Message))
    }

[<Fact>]
let ``a queue that never finishes times out`` () =
    task {
        use home = new TestHome()
        use fake = new FakeFal(outcome = FalOutcome.Forever)

        let p =
            FalImageProvider(
                home.Context([ "FAL_KEY", "k"; "FAL_QUEUE_BASE_URL", fake.BaseUrl ]),
                PollInterval = TimeSpan.FromMilliseconds 10.0,
                QueueTimeout = TimeSpan.FromMilliseconds 200.0
            )

        let! result = p.GenerateAsync("a", AspectRatio.Square, GenerateOptions.Default, CancellationToken.None)
        Assert.Equal("timeout", (failure result).ErrorType)
    }

[<Fact>]
let ``a status URL on another host is refused before the key goes there`` () =
    task {
        use home = new TestHome()
        use fake = new FakeFal(hostileStatusUrl = true)

        let! result =
            (direct home fake (CapturedLogs())).GenerateAsync("a", AspectRatio.Square, GenerateOptions.Default, CancellationToken.None)

        Assert.Contains("refusing to send the key", (failure result).Error.Message)
        Assert.Equal(1, fake.Requests.Length)
    }

[<Fact>]
let ``without FAL_KEY the managed gateway is used with the Nous token`` () =
    task {
        use home = new TestHome()
        use fake = new FakeFal()

        let ctx =
            home.Context(
                [
                    "TOOL_GATEWAY_USER_TOKEN", "nous-token-abcdef"
                    "FAL_QUEUE_GATEWAY_URL", fake.BaseUrl
                ]
            )

        let p = FalImageProvider(ctx, PollInterval = TimeSpan.FromMilliseconds 10.0)
        Assert.True(p.IsAvailable().IsReady)
        let! result = p.GenerateAsync("a", AspectRatio.Portrait, GenerateOptions.Default, CancellationToken.None)
        Assert.Equal<obj>("gateway", (success result).Extras["route"])
        Assert.Equal(Some "Key nous-token-abcdef", fake.Submits.Head.Header "Authorization")
    }

[<Fact>]
let ``the Nous sign-in in auth.json also opens the gateway, and its rejections say so`` () =
    task {
        use home = new TestHome()
        use fake = new FakeFal(submitStatus = 403)
        IO.File.WriteAllText(home.AuthPath, """{"version":1,"providers":{"nous":{"access_token":"nous-from-auth-json"}}}""")
        let ctx = home.Context([ "FAL_QUEUE_GATEWAY_URL", fake.BaseUrl ])
        let! result = FalImageProvider(ctx).GenerateAsync("a", AspectRatio.Portrait, GenerateOptions.Default, CancellationToken.None)

        Assert.StartsWith(
            "the Nous Subscription gateway rejected model 'fal-ai/flux-2/klein/9b' (HTTP 403)",
            (failure result).Error.Message
        )

        Assert.Equal(Some "Key nous-from-auth-json", fake.Submits.Head.Header "Authorization")
    }

[<Fact>]
let ``with neither key nor gateway it is unavailable and names FAL_KEY`` () =
    task {
        use home = new TestHome()
        let p = FalImageProvider(home.Context([]))
        Assert.Contains("FAL_KEY", expectMissing (p.IsAvailable()))
        let! result = p.GenerateAsync("a", AspectRatio.Portrait, GenerateOptions.Default, CancellationToken.None)
        Assert.Equal("not_available", (failure result).ErrorType)
        Assert.Contains("FAL_KEY", (failure result).Error.Message)
    }

[<Fact>]
let ``an image FAL's safety checker flagged is content_policy and nothing is downloaded or kept`` () =
    task {
        use home = new TestHome()
        use fake = new FakeFal(outcome = FalOutcome.Flagged)

        let! result =
            (direct home fake (CapturedLogs()))
                .GenerateAsync("a lighthouse", AspectRatio.Landscape, GenerateOptions.Default, CancellationToken.None)

        Assert.Equal("content_policy", (failure result).ErrorType)
        Assert.Empty(home.CachedFiles())
        Assert.DoesNotContain(fake.Requests, fun r -> r.Path = "/files/out.png")
    }

[<Fact>]
let ``a safety flag with no image left in the answer is still content_policy, not a missing image`` () =
    task {
        use home = new TestHome()
        use fake = new FakeFal(outcome = FalOutcome.FlaggedWithoutImages)

        let! result =
            (direct home fake (CapturedLogs()))
                .GenerateAsync("a lighthouse", AspectRatio.Landscape, GenerateOptions.Default, CancellationToken.None)

        Assert.Equal("content_policy", (failure result).ErrorType)
        Assert.Empty(home.CachedFiles())
    }

[<Fact>]
let ``safety flags pair with images by their place in the answer, a null entry included`` () =
    task {
        use home = new TestHome()
        use fake = new FakeFal(outcome = FalOutcome.FlagAfterNullEntry)

        let! result =
            (direct home fake (CapturedLogs()))
                .GenerateAsync("a lighthouse", AspectRatio.Landscape, GenerateOptions.Default, CancellationToken.None)

        // out.png was flagged: never fetched; out-2.png was clean: kept
        Assert.DoesNotContain(fake.Requests, fun r -> r.Path = "/files/out.png")
        Assert.Contains(fake.Requests, fun r -> r.Path = "/files/out-2.png")
        Assert.Equal(1, (success result).Images.Count)
    }
