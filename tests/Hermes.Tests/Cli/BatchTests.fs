/// `hermes batch FILE.jsonl` run as a process against a loopback xAI: success, partial failure, --resume, and a bad
/// line that stops the whole file before any request.
module Hermes.Tests.Cli.BatchTests

open System
open System.IO
open System.Text.Json
open Xunit
open Hermes.Tests.Cli.HermesProcess
open Hermes.Tests.Support
open Hermes.Tests.Support.Fakes

let private posts (api: LoopbackServer) =
    api.Requests |> List.filter (fun r -> r.Method = "POST")

/// An xAI fake that refuses (HTTP 400) every prompt containing "refuse" and draws the others.
let private pickyXai () =
    new LoopbackServer(fun r c ->
        if r.Body.Contains "refuse" then
            Reply.json 400 """{"error":"this prompt is refused"}""" r c
        else
            answerAsked r c)

let private batchFile (dir: TestHome) (lines: string list) =
    let path = Path.Combine(dir.Path, "jobs.jsonl")
    File.WriteAllText(path, String.concat "\n" lines + "\n")
    path

let private results (path: string) =
    File.ReadAllLines path
    |> Array.filter (fun l -> l.Trim() <> "")
    |> Array.map (fun l -> JsonDocument.Parse(l).RootElement.Clone())
    |> Array.sortBy (fun e -> e.GetProperty("line").GetInt32())

[<Fact>]
let ``every line made: one image per line, results appended per line, a summary document, exit 0`` () =
    task {
        use home = new TestHome()
        use work = new TestHome()
        use api = pickyXai ()

        let file =
            batchFile
                work
                [
                    """{"id":"fox","prompt":"a fox"}"""
                    ""
                    """{"prompt":"an owl","count":2,"aspect":"square"}"""
                ]

        let! run = hermes home (xaiEnv api) [ "batch"; file; "--json" ]
        Assert.Equal(0, run.Code)
        let doc = oneDocument run
        Assert.True(doc.GetProperty("success").GetBoolean())
        Assert.Equal(2, doc.GetProperty("lines").GetInt32())
        Assert.Equal(2, doc.GetProperty("done").GetInt32())
        Assert.Equal(Path.Combine(work.Path, "jobs.results.jsonl"), doc.GetProperty("results").GetString())
        // a line's count is xAI's native n: one request for the owl's two images
        Assert.Equal<int list>([ 1; 2 ], posts api |> List.map askedImages |> List.sort)

        let recorded = results (doc.GetProperty("results").GetString())

        Assert.Equal<int list>(
            [ 1; 3 ],
            recorded
            |> Array.map (fun e -> e.GetProperty("line").GetInt32())
            |> List.ofArray
        )

        Assert.Equal("fox", recorded[0].GetProperty("id").GetString())
        Assert.Equal(2, recorded[1].GetProperty("images").GetArrayLength())

        for e in recorded do
            Assert.Equal("done", e.GetProperty("status").GetString())

            for image in e.GetProperty("images").EnumerateArray() do
                Assert.True(File.Exists(image.GetString()))
    }

[<Fact>]
let ``a refused line is recorded with its error; the others are made; exit 6; --resume reruns only the failed line`` () =
    task {
        use home = new TestHome()
        use work = new TestHome()
        use api = pickyXai ()

        let file =
            batchFile
                work
                [
                    """{"prompt":"a fox"}"""
                    """{"id":7,"prompt":"refuse me"}"""
                    """{"prompt":"an owl"}"""
                ]

        let! run = hermes home (xaiEnv api) [ "batch"; file ]
        Assert.Equal(6, run.Code)
        Assert.Contains("3 lines: 2 done, 1 failed, 0 skipped", run.Out)
        Assert.Contains("hermes: line 2: ", run.Err)

        let recorded = results (Path.Combine(work.Path, "jobs.results.jsonl"))
        Assert.Equal("failed", recorded[1].GetProperty("status").GetString())
        Assert.Equal("7", recorded[1].GetProperty("id").GetString())
        Assert.Equal("invalid_request", recorded[1].GetProperty("error_type").GetString())
        Assert.Contains("refused", recorded[1].GetProperty("error").GetString())
        let before = (posts api).Length

        let! resumed = hermes home (xaiEnv api) [ "batch"; file; "--resume"; "--json" ]
        Assert.Equal(6, resumed.Code)
        let doc = expectErrorDocument "partial" resumed
        Assert.Equal(2, doc.GetProperty("skipped").GetInt32())
        Assert.Equal(1, doc.GetProperty("failed").GetInt32())
        Assert.Equal(2, doc.GetProperty("failures").[0].GetProperty("line").GetInt32())
        Assert.Equal(before + 1, (posts api).Length)
        Assert.Contains("refuse me", (List.last (posts api)).Body)
    }

[<Theory>]
[<InlineData("""{"prompt":"an owl","prompt":"a cat"}""", "line 2: not a JSON object with one value per field")>]
[<InlineData("""{"prompt":"an owl","output":"owl\u0000.png"}""", "line 2: 'output' must be a path without control characters")>]
[<InlineData("""{"prompt":"an owl","sead":3}""", "line 2: unknown field 'sead'")>]
[<InlineData("""{"prompt":"an owl","quality":"high"}""", "line 2: quality 'high' is not taken by xai")>]
[<InlineData("""{"prompt":"an owl","compression":"most"}""", "line 2: invalid compression")>]
[<InlineData("""{"prompt":"an owl","size":"huge"}""", "line 2: invalid size 'huge'")>]
[<InlineData("""{"prompt":"an owl","aspect":"wide"}""", "line 2: invalid aspect ratio 'wide'")>]
[<InlineData("""{"count":2}""", "line 2: missing prompt")>]
[<InlineData("{\"prompt\":\"an owl\"", "line 2: not JSON")>]
[<InlineData("""{"prompt":"an owl","model":"grok-imagine-imag"}""", "line 2: ")>]
let ``one bad line stops the whole file before any request: exit 2, nothing sent, no results written`` (bad: string) (expected: string) =
    task {
        use home = new TestHome()
        use work = new TestHome()
        use api = pickyXai ()

        let file =
            batchFile work [ """{"prompt":"a fox"}"""; bad; """{"prompt":"a cat"}""" ]

        let! run = hermes home (xaiEnv api) [ "batch"; file; "--json" ]
        Assert.Equal(2, run.Code)
        let doc = oneDocument run
        Assert.Contains(expected, doc.GetProperty("error").GetString())
        Assert.Contains("nothing was sent", doc.GetProperty("error").GetString())
        Assert.Empty(posts api)
        Assert.False(File.Exists(Path.Combine(work.Path, "jobs.results.jsonl")))
    }

[<Fact>]
let ``a line's output controls reach the wire as generate sends them: size 1024x1536 is xAI's 2:3`` () =
    task {
        use home = new TestHome()
        use work = new TestHome()
        use api = pickyXai ()
        let file = batchFile work [ """{"prompt":"a tall fox","size":"1024x1536"}""" ]
        let! run = hermes home (xaiEnv api) [ "batch"; file; "--json" ]
        Assert.Equal(0, run.Code)
        let sent = posts api |> List.exactlyOne
        Assert.Equal("2:3", jsonField sent.Body "aspect_ratio")
    }

[<Fact>]
let ``a batch file path that is no path is a usage error, exit 2, not an internal error`` () =
    task {
        use home = new TestHome()
        use api = pickyXai ()
        let! run = hermes home (xaiEnv api) [ "batch"; "" ]
        Assert.Equal(2, run.Code)
        Assert.Contains("cannot read the batch file", oneLineError run)
        Assert.Empty(posts api)
    }

[<Fact>]
let ``batch --max-cost refuses the whole file when any line's price is unknown; --parallel is checked`` () =
    task {
        use home = new TestHome()
        use work = new TestHome()
        use api = pickyXai ()
        let file = batchFile work [ """{"prompt":"a fox"}""" ]
        let! costly = hermes home (xaiEnv api) [ "batch"; file; "--max-cost"; "5" ]
        Assert.Equal(2, costly.Code)
        Assert.Contains("--allow-unknown-cost", oneLineError costly)

        let! tooMany = hermes home (xaiEnv api) [ "batch"; file; "--parallel"; "99" ]
        Assert.Equal(2, tooMany.Code)
        Assert.Contains("invalid --parallel '99'", oneLineError tooMany)
        Assert.Empty(posts api)
    }

[<Fact>]
let ``two lines writing the same --output file stop the file before any request`` () =
    task {
        use home = new TestHome()
        use work = new TestHome()
        use api = pickyXai ()
        let target = Path.Combine(work.Path, "same.png")

        let file =
            batchFile
                work
                [
                    sprintf """{"prompt":"a fox","output":"%s"}""" target
                    """{"prompt":"a cat"}"""
                    sprintf """{"prompt":"an owl","output":"%s"}""" target
                ]

        let! run = hermes home (xaiEnv api) [ "batch"; file ]
        Assert.Equal(2, run.Code)
        Assert.Contains(sprintf "line 3: output '%s' is also written by line 1" target, oneLineError run)
        Assert.Empty(posts api)
    }
