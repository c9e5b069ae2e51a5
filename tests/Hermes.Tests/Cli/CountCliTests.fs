/// `generate --count` and a batch line's `count` as native n, run as a process against loopback fakes.
module Hermes.Tests.Cli.CountCliTests

open System.IO
open System.Text.Json
open Xunit
open Hermes.Tests.Cli.HermesProcess
open Hermes.Tests.Support
open Hermes.Tests.Support.Fakes

let private openAiEnv (api: LoopbackServer) =
    [
        "OPENAI_API_KEY", "sk-count-cli-0123456789"
        "OPENAI_BASE_URL", api.Url "/v1"
    ]

let private openAiApi () =
    new LoopbackServer(Reply.routes [ ("POST", "/v1/images/generations"), answerAsked ])

/// The --json document of `generate "a fox" --dry-run` with these options; it must succeed.
let private dryRun (home: TestHome) (env: (string * string) list) (options: string list) =
    task {
        let! run = hermes home env ([ "generate"; "a fox" ] @ options @ [ "--dry-run"; "--json" ])
        Assert.Equal(0, run.Code)
        return oneDocument run
    }

/// The images each request of a dry run's plan asks for.
let private requestsOf (doc: JsonElement) =
    doc.GetProperty("requests").EnumerateArray()
    |> Seq.map _.GetInt32()
    |> List.ofSeq

[<Fact>]
let ``generate --count 4 on OpenAI sends one request with n 4 and saves four images`` () =
    task {
        use home = new TestHome()
        use api = openAiApi ()
        let! run = hermes home (openAiEnv api) [ "generate"; "a fox"; "--provider"; "openai"; "--count"; "4"; "--json" ]
        Assert.Equal(0, run.Code)
        let doc = oneDocument run
        Assert.Equal(4, doc.GetProperty("images").GetArrayLength())
        Assert.Equal(4, home.CachedFiles().Length)
        Assert.Equal(4, askedImages (Assert.Single api.Requests))
    }

[<Fact>]
let ``--dry-run shows the first request's n and the requests`` () =
    task {
        use home = new TestHome()
        use api = openAiApi ()

        let! doc = dryRun home (openAiEnv api) [ "--provider"; "openai"; "--count"; "13" ]
        Assert.Equal(10, doc.GetProperty("request").GetProperty("body").GetProperty("n").GetInt32())
        Assert.Equal<int list>([ 10; 3 ], requestsOf doc)

        let! text = hermes home (openAiEnv api) [ "generate"; "a fox"; "--provider"; "openai"; "--count"; "13"; "--dry-run" ]
        Assert.Contains("2 (10 + 3 images)", text.Out)
        Assert.Contains("\"n\": 10", text.Out)
        Assert.Empty(api.Requests)
    }

[<Fact>]
let ``a FAL --dry-run shows num_images and estimates every image, however many requests carry them`` () =
    task {
        use home = new TestHome()
        use fake = new FakeFal()

        let env =
            [ "FAL_KEY", "fal-count-cli-0123456789"; "FAL_QUEUE_BASE_URL", fake.BaseUrl ]

        let! doc = dryRun home env [ "--provider"; "fal"; "--model"; "fal-ai/gpt-image-1.5"; "--count"; "6" ]
        Assert.Equal(4, doc.GetProperty("request").GetProperty("body").GetProperty("num_images").GetInt32())
        Assert.Equal<int list>([ 4; 2 ], requestsOf doc)

        let each = doc.GetProperty("estimated_cost_each").GetDecimal()
        Assert.Equal(0.034m, each)
        Assert.Equal(each * 6m, doc.GetProperty("estimated_cost").GetDecimal())

        // --max-cost sees all six images: five times the price of one is not enough
        let! over =
            hermes
                home
                env
                [
                    "generate"
                    "a fox"
                    "--provider"
                    "fal"
                    "--model"
                    "fal-ai/gpt-image-1.5"
                    "--count"
                    "6"
                    "--max-cost"
                    "0.17"
                ]

        Assert.Equal(2, over.Code)
        Assert.Empty(fake.Requests)
    }

[<Fact>]
let ``--dry-run of an OpenAI edit shows the multipart n part`` () =
    task {
        use home = new TestHome()
        use outside = new TestHome()
        let source = Path.Combine(outside.Path, "cat.png")
        File.WriteAllBytes(source, png 100)
        use api = openAiApi ()

        let! run =
            hermes
                home
                (openAiEnv api)
                [
                    "generate"
                    "a hat"
                    "--provider"
                    "openai"
                    "--image"
                    source
                    "--count"
                    "3"
                    "--dry-run"
                    "--json"
                ]

        Assert.Equal(0, run.Code)

        let parts =
            (oneDocument run).GetProperty("request").GetProperty("body").EnumerateArray()
            |> List.ofSeq

        let n = parts |> List.find (fun p -> p.GetProperty("name").GetString() = "n")

        Assert.Equal("3", n.GetProperty("value").GetString())
        Assert.Empty(api.Requests)
    }

[<Fact>]
let ``a batch line's count on OpenAI is one request with n`` () =
    task {
        use home = new TestHome()
        use work = new TestHome()
        use api = openAiApi ()
        let file = Path.Combine(work.Path, "jobs.jsonl")
        File.WriteAllText(file, """{"prompt":"an owl","count":3,"provider":"openai"}""" + "\n")
        let! run = hermes home (openAiEnv api) [ "batch"; file; "--json" ]
        Assert.Equal(0, run.Code)
        Assert.Equal(3, askedImages (Assert.Single api.Requests))
        Assert.Equal(3, home.CachedFiles().Length)
    }

[<Fact>]
let ``-o FILE with a provider that sends more than asked writes FILE and keeps the extra image in the cache`` () =
    task {
        use home = new TestHome()
        use outside = new TestHome()

        use api =
            new LoopbackServer(
                Reply.routes
                    [
                        ("POST", "/v1/images/generations"), Reply.json 200 (b64ResponseOf [ png 501; png 502 ])
                    ]
            )

        let target = Path.Combine(outside.Path, "fox.png")
        let! run = hermes home (openAiEnv api) [ "generate"; "a fox"; "--provider"; "openai"; "-o"; target; "--json" ]
        Assert.Equal(0, run.Code)
        let doc = oneDocument run

        let images =
            doc.GetProperty("images").EnumerateArray()
            |> Seq.map _.GetString()
            |> List.ofSeq

        Assert.Equal(2, images.Length)
        Assert.Equal(target, images[0])
        Assert.StartsWith(home.CacheDir, images[1])
        Assert.Equal(1, doc.GetProperty("extras").GetProperty("images_beyond_count").GetInt32())

        let! text = hermes home (openAiEnv api) [ "generate"; "a fox"; "--provider"; "openai"; "-o"; target; "--force" ]
        Assert.Equal(0, text.Code)
        Assert.Equal(2, text.Out.Split('\n', System.StringSplitOptions.RemoveEmptyEntries).Length)
        Assert.Contains("hermes: the provider returned 2 images where 1 was asked for; all were kept", text.Err)
    }
