/// The provenance sidecar and automatic pruning, through a provider against a loopback fake.
module Hermes.Tests.Cache.ProvenanceTests

open System
open System.IO
open System.Security.Cryptography
open System.Threading
open Xunit
open Hermes.Domain
open Hermes.Providers.Cache
open Hermes.Providers.Core
open Hermes.Providers.OpenAi
open Hermes.Tests.Support
open Hermes.Tests.Support.Fakes

let private generations = "POST", "/v1/images/generations"

let private answer (image: byte[]) =
    sprintf
        """{"created":1,"data":[{"b64_json":"%s","revised_prompt":"a synth on a wooden desk"}],"usage":{"input_tokens":12,"output_tokens":4160,"total_tokens":4172}}"""
        (Convert.ToBase64String image)

let private generate (home: TestHome) (server: LoopbackServer) (logs: CapturedLogs) =
    let ctx =
        home.Context([ "OPENAI_API_KEY", "sk-test-abcdef123456"; "OPENAI_BASE_URL", server.Url("/v1") ], logs)

    OpenAiImageProvider(ctx).GenerateAsync("a synth on a desk", AspectRatio.Landscape, GenerateOptions.Default, CancellationToken.None)

let private sidecarOf (image: string) =
    match Provenance.ofJson (File.ReadAllText(CacheFolder.SidecarOf image)) with
    | Ok p -> p
    | Error e -> failwith e

/// An image and its sidecar already in the cache, written `age` ago.
let private seed (home: TestHome) (name: string) (bytes: int) (age: TimeSpan) =
    Directory.CreateDirectory home.CacheDir |> ignore
    let path = Path.Combine(home.CacheDir, name)
    File.WriteAllBytes(path, png bytes)
    File.WriteAllText(CacheFolder.SidecarOf path, """{"prompt":"old","provider":"xai","model":"m","created_at":"2020-01-01T00:00:00Z"}""")
    let time = DateTime.UtcNow - age
    File.SetLastWriteTimeUtc(path, time)
    path

[<Fact>]
let ``a saved image gets NAME.json with prompt, revised prompt, provider, model, pixel size, sha256, usage and time`` () =
    task {
        use home = new TestHome()
        let image = Hermes.Tests.Domain.ImageHeaderTests.png 1536 1024 6uy false
        use s = new LoopbackServer(Reply.routes [ generations, Reply.json 200 (answer image) ])
        let before = DateTime.UtcNow.AddSeconds -1.0
        let! result = generate home s (CapturedLogs())
        let ok = success result
        let p = sidecarOf ok.Image
        Assert.Equal(Path.ChangeExtension(ok.Image, ".json"), CacheFolder.SidecarOf ok.Image)
        Assert.Equal("a synth on a desk", p.Prompt)
        Assert.Equal(Some "a synth on a wooden desk", p.RevisedPrompt)
        Assert.Equal("openai", p.Provider)
        Assert.Equal(ok.Model, p.Model)
        Assert.Equal(Some "1536x1024", p.PixelSize)
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes ok.Image)), p.Sha256)
        Assert.Equal<(string * int64) list>([ "input_tokens", 12L; "output_tokens", 4160L; "total_tokens", 4172L ], List.sort p.Usage)
        Assert.InRange(p.CreatedUtc, before, DateTime.UtcNow.AddSeconds 1.0)
        Assert.Equal(None, p.SourceCount)
    }

[<Fact>]
let ``a sidecar that cannot be written leaves the image and a warning`` () =
    task {
        use home = new TestHome()
        let image = seed home "x_20260101_000000_00000000.png" 100 TimeSpan.Zero
        File.Delete(CacheFolder.SidecarOf image)
        Directory.CreateDirectory(CacheFolder.SidecarOf image) |> ignore
        let logs = CapturedLogs()
        let folder = CacheFolder(home.CacheDir, logs.Logger)

        let provenance =
            {
                Prompt = "p"
                RevisedPrompt = None
                Provider = "xai"
                Model = "m"
                PixelSize = None
                RequestId = None
                Sha256 = ""
                Usage = []
                CreatedUtc = DateTime.UtcNow
                SourceCount = None
                EstimatedCost = None
            }

        let! written = folder.WriteSidecarAsync(image, provenance, CancellationToken.None)
        Assert.False written
        Assert.True(File.Exists image)
        Assert.Contains(logs.Warnings, fun w -> w.Contains "without its provenance sidecar")
    }

[<Fact>]
let ``after a save, images older than image_gen.cache.max_age_days go with their sidecars and the new one stays`` () =
    task {
        use home = new TestHome()
        home.WriteConfig "image_gen:\n  cache:\n    max_age_days: 7\n"
        let old = seed home "xai_m_20250101_000000_00000001.png" 100 (TimeSpan.FromDays 8.0)
        let recent = seed home "xai_m_20250101_000000_00000002.png" 100 (TimeSpan.FromDays 6.0)
        use s = new LoopbackServer(Reply.routes [ generations, Reply.json 200 (answer (png 500)) ])
        let! result = generate home s (CapturedLogs())
        let ok = success result
        Assert.False(File.Exists old)
        Assert.False(File.Exists(CacheFolder.SidecarOf old))
        Assert.True(File.Exists recent)
        Assert.True(File.Exists ok.Image)
        Assert.True(File.Exists(CacheFolder.SidecarOf ok.Image))
    }

[<Fact>]
let ``after a save, the oldest images go until the cache fits image_gen.cache.max_total_mb, never the new one`` () =
    task {
        use home = new TestHome()
        home.WriteConfig "image_gen:\n  cache:\n    max_total_mb: 1\n"
        let oldest = seed home "xai_m_20250101_000000_00000001.png" 600_000 (TimeSpan.FromHours 3.0)
        let older = seed home "xai_m_20250101_000000_00000002.png" 300_000 (TimeSpan.FromHours 2.0)
        // The new image alone is over the limit: it stays anyway.
        use s = new LoopbackServer(Reply.routes [ generations, Reply.json 200 (answer (png 1_200_000)) ])
        let! result = generate home s (CapturedLogs())
        let ok = success result
        Assert.False(File.Exists oldest)
        Assert.False(File.Exists older)
        Assert.True(File.Exists ok.Image)
    }

[<Fact>]
let ``the prune after an answer of several images spares every one of them, not only the last`` () =
    task {
        use home = new TestHome()
        home.WriteConfig "image_gen:\n  cache:\n    max_total_mb: 1\n"
        let oldest = seed home "xai_m_20250101_000000_00000001.png" 600_000 (TimeSpan.FromHours 3.0)
        // Three images of 500 KB in one answer: together over the limit, and none of them may go.
        let three =
            [ for i in 1..3 -> sprintf """{"b64_json":"%s"}""" (Convert.ToBase64String(png (500_000 + i))) ]
            |> String.concat ","

        use s =
            new LoopbackServer(Reply.routes [ generations, Reply.json 200 (sprintf """{"created":1,"data":[%s]}""" three) ])

        let! result = generate home s (CapturedLogs())

        match result with
        | :? ImageGenResult.Success as made ->
            Assert.Equal(3, made.Images.Count)
            Assert.All(made.Images, fun image -> Assert.True(File.Exists image, image))
            Assert.All(made.Images, fun image -> Assert.True(File.Exists(CacheFolder.SidecarOf image), image))
        | other -> failwithf "expected a success, got %A" other

        Assert.False(File.Exists oldest)
    }

[<Fact>]
let ``the prune spares an image a concurrent call wrote while this one ran, though the cache is over its limit`` () =
    task {
        use home = new TestHome()
        home.WriteConfig "image_gen:\n  cache:\n    max_total_mb: 1\n"
        let oldest = seed home "xai_m_20250101_000000_00000001.png" 600_000 (TimeSpan.FromHours 3.0)
        let sibling = Path.Combine(home.CacheDir, "xai_m_20250101_000000_00000002.png")

        // Another request saves its image while this one waits for its answer: older than ours, newer than the call's start.
        let answerAfterSibling (request: RecordedRequest) (ctx: Microsoft.AspNetCore.Http.HttpContext) =
            File.WriteAllBytes(sibling, png 600_000)
            Reply.json 200 (answer (png 500_000)) request ctx

        use s = new LoopbackServer(Reply.routes [ generations, answerAfterSibling ])
        let! result = generate home s (CapturedLogs())
        let ok = success result
        Assert.True(File.Exists ok.Image)
        Assert.True(File.Exists sibling, "the concurrent call's image was pruned")
        Assert.False(File.Exists oldest)
    }

[<Fact>]
let ``with the defaults a month-old image stays until it is 30 days old`` () =
    task {
        use home = new TestHome()
        let young = seed home "xai_m_20250101_000000_00000001.png" 100 (TimeSpan.FromDays 29.0)
        let expired = seed home "xai_m_20250101_000000_00000002.png" 100 (TimeSpan.FromDays 31.0)
        use s = new LoopbackServer(Reply.routes [ generations, Reply.json 200 (answer (png 500)) ])
        let! result = generate home s (CapturedLogs())
        success result |> ignore
        Assert.True(File.Exists young)
        Assert.False(File.Exists expired)
    }
