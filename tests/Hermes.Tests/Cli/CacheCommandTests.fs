/// `hermes cache list|prune` and `hermes history`, the built `hermes` run as a process against a loopback fake.
module Hermes.Tests.Cli.CacheCommandTests

open System
open System.IO
open Xunit
open Hermes.Tests.Cli.HermesProcess
open Hermes.Tests.Support
open Hermes.Tests.Support.Fakes

/// An image and its sidecar in the cache, written `age` ago.
let private seed (home: TestHome) (name: string) (bytes: int) (age: TimeSpan) =
    Directory.CreateDirectory home.CacheDir |> ignore
    let path = Path.Combine(home.CacheDir, name + ".png")
    File.WriteAllBytes(path, png bytes)

    File.WriteAllText(
        Path.Combine(home.CacheDir, name + ".json"),
        sprintf """{"prompt":"seeded %s","provider":"fal","model":"fal-ai/flux","created_at":"%s"}""" name ((DateTime.UtcNow - age).ToString "yyyy-MM-ddTHH:mm:ssZ")
    )

    File.SetLastWriteTimeUtc(path, DateTime.UtcNow - age)
    path

[<Fact>]
let ``cache list --json shows each generated image with size, time, provider and model from its sidecar`` () =
    task {
        use home = new TestHome()
        use api = xaiApi 200
        let! made = hermes home (xaiEnv api) [ "generate"; "a red fox in snow"; "--json" ]
        Assert.Equal(0, made.Code)
        let image = (oneDocument made).GetProperty("image").GetString()
        let! run = hermes home [] [ "cache"; "list"; "--json" ]
        Assert.Equal(0, run.Code)
        let doc = oneDocument run
        Assert.True(doc.GetProperty("success").GetBoolean())
        let listed = Assert.Single(doc.GetProperty("images").EnumerateArray() |> List.ofSeq)
        Assert.Equal(image, listed.GetProperty("path").GetString())
        Assert.Equal(FileInfo(image).Length + FileInfo(Path.ChangeExtension(image, ".json")).Length, listed.GetProperty("bytes").GetInt64())
        Assert.Equal("xai", listed.GetProperty("provider").GetString())
        Assert.Equal("a red fox in snow", listed.GetProperty("prompt").GetString())
        Assert.EndsWith("Z", listed.GetProperty("written_at").GetString())
    }

[<Fact>]
let ``cache list in text is a table with the provider and a total, and an empty cache says so`` () =
    task {
        use home = new TestHome()
        let! empty = hermes home [] [ "cache"; "list" ]
        Assert.Equal(0, empty.Code)
        Assert.StartsWith("no cached images in ", empty.Out)
        seed home "fal_a" 100 (TimeSpan.FromHours 1.0) |> ignore
        let! run = hermes home [] [ "cache"; "list" ]
        Assert.Equal(0, run.Code)
        noAnsi run
        Assert.Contains("fal-ai/flux", run.Out)
        Assert.Contains("1 images,", run.Out)
    }

[<Fact>]
let ``cache prune --older-than removes old images with their sidecars, oldest first, and keeps the newest`` () =
    task {
        use home = new TestHome()
        let a = seed home "fal_a" 100 (TimeSpan.FromDays 50.0)
        let b = seed home "fal_b" 100 (TimeSpan.FromDays 40.0)
        let c = seed home "fal_c" 100 (TimeSpan.FromDays 35.0)
        let! run = hermes home [] [ "cache"; "prune"; "--older-than"; "36d"; "--json" ]
        Assert.Equal(0, run.Code)
        let doc = oneDocument run
        let removed = doc.GetProperty("removed").EnumerateArray() |> Seq.map (fun e -> e.GetProperty("path").GetString()) |> List.ofSeq
        Assert.Equal<string list>([ a; b ], removed)
        Assert.Equal(1, doc.GetProperty("kept").GetInt32())
        Assert.False(File.Exists a || File.Exists(Path.ChangeExtension(a, ".json")))
        Assert.True(File.Exists c)
        // Everything is older than 1h, but the newest stays.
        let! again = hermes home [] [ "cache"; "prune"; "--older-than=1h" ]
        Assert.Equal(0, again.Code)
        Assert.True(File.Exists c)
        Assert.Contains("removed 0 images", again.Out)
    }

[<Fact>]
let ``cache prune --max-size removes the oldest until the rest fit`` () =
    task {
        use home = new TestHome()
        let a = seed home "fal_a" 40_000 (TimeSpan.FromHours 3.0)
        let b = seed home "fal_b" 40_000 (TimeSpan.FromHours 2.0)
        let c = seed home "fal_c" 40_000 (TimeSpan.FromHours 1.0)
        let! run = hermes home [] [ "cache"; "prune"; "--max-size"; "100KB" ]
        Assert.Equal(0, run.Code)
        Assert.False(File.Exists a)
        Assert.True(File.Exists b && File.Exists c)
        Assert.Contains("removed " + a, run.Out)
    }

[<Theory>]
[<InlineData("--older-than", "30 days", "m, h, d or w")>]
[<InlineData("--older-than", "0d", "m, h, d or w")>]
[<InlineData("--max-size", "2XB", "B, KB, MB, GB or TB")>]
let ``cache prune refuses a bad value in one line naming it and what is allowed, and removes nothing`` (flag: string, value: string, allowed: string) =
    task {
        use home = new TestHome()
        let a = seed home "fal_a" 100 (TimeSpan.FromDays 400.0)
        seed home "fal_b" 100 TimeSpan.Zero |> ignore
        let! run = hermes home [] [ "cache"; "prune"; flag; value ]
        Assert.Equal(2, run.Code)
        let message = oneLineError run
        Assert.Contains(sprintf "'%s'" value, message)
        Assert.Contains(allowed, message)
        Assert.True(File.Exists a)
        let! json = hermes home [] [ "cache"; "prune"; flag; value; "--json" ]
        expectErrorDocument "invalid_argument" json |> ignore
    }

[<Fact>]
let ``history shows the newest N images, newest first, with prompt, provider, model, path and time`` () =
    task {
        use home = new TestHome()
        seed home "fal_a" 100 (TimeSpan.FromHours 3.0) |> ignore
        seed home "fal_b" 100 (TimeSpan.FromHours 2.0) |> ignore
        use api = xaiApi 200
        let! made = hermes home (xaiEnv api) [ "generate"; "a lighthouse at dusk"; "--json" ]
        Assert.Equal(0, made.Code)
        let image = (oneDocument made).GetProperty("image").GetString()
        let! run = hermes home [] [ "history"; "-n"; "2"; "--json" ]
        Assert.Equal(0, run.Code)
        let items = (oneDocument run).GetProperty("images").EnumerateArray() |> List.ofSeq
        Assert.Equal(2, items.Length)
        Assert.Equal(image, items[0].GetProperty("path").GetString())
        Assert.Equal("a lighthouse at dusk", items[0].GetProperty("prompt").GetString())
        Assert.Equal("xai", items[0].GetProperty("provider").GetString())
        Assert.False(String.IsNullOrEmpty(items[0].GetProperty("model").GetString()))
        Assert.Equal(64, items[0].GetProperty("sha256").GetString().Length)
        Assert.Equal("seeded fal_b", items[1].GetProperty("prompt").GetString())
        let! text = hermes home [] [ "history"; "--count"; "1" ]
        Assert.Equal(0, text.Code)
        Assert.Contains("a lighthouse at dusk", text.Out)
        Assert.DoesNotContain("seeded", text.Out)
    }

[<Fact>]
let ``history -n 0 is refused in one line, and an empty history says how to start one`` () =
    task {
        use home = new TestHome()
        let! bad = hermes home [] [ "history"; "-n"; "0" ]
        Assert.Equal(2, bad.Code)
        Assert.Contains("'0'", oneLineError bad)
        let! empty = hermes home [] [ "history" ]
        Assert.Equal(0, empty.Code)
        Assert.Contains("hermes generate", empty.Out)
    }
