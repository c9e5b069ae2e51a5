module Hermes.Tests.Library.ReadmeSnippetTests

open System
open System.Diagnostics
open System.IO
open System.Text.RegularExpressions
open Xunit
open Hermes.Tests.Support
open Hermes.Tests.Support.Fakes

let root = Hermes.Tests.Domain.PurityTests.repoRoot

let marker = "<!-- compiled: tests/Hermes.ReadmeSample/Program.cs -->"

let sampleSource = Path.Combine(root, "tests", "Hermes.ReadmeSample", "Program.cs")

let sampleDll =
    let configuration = DirectoryInfo(AppContext.BaseDirectory).Parent.Name
    Path.Combine(root, "tests", "Hermes.ReadmeSample", "bin", configuration, "net10.0", "Hermes.ReadmeSample.dll")

let normalized (text: string) = text.Replace("\r\n", "\n").TrimEnd()

/// Every C# block that a document says is the compiled sample.
let compiledBlocks (document: string) =
    Regex.Matches(File.ReadAllText document, Regex.Escape marker + @"\s*```csharp\n(.*?)```", RegexOptions.Singleline)
    |> Seq.map (fun m -> m.Groups[1].Value)
    |> List.ofSeq

[<Fact>]
let ``the library example in the docs is the compiled sample, character for character`` () =
    let blocks =
        [ "README.md"; Path.Combine("docs", "library.md") ]
        |> List.map (fun d -> Path.Combine(root, d))
        |> List.filter File.Exists
        |> List.collect compiledBlocks

    Assert.NotEmpty blocks

    for block in blocks do
        Assert.Equal(normalized (File.ReadAllText sampleSource), normalized block)

/// A loopback xAI answering generations with one image (as many copies as n asks for) and edits with another.
let sampleApi (generated: byte[]) (edited: byte[]) =
    new LoopbackServer(
        Reply.routes
            [
                ("POST", "/v1/images/generations"), answerEach generated
                ("POST", "/v1/images/edits"), answerEach edited
            ]
    )

/// Runs the sample (a built dll) with only these variables, so nothing of the machine running the tests is read.
let runSample (app: string) (home: TestHome) (api: LoopbackServer) =
    task {
        let dotnet =
            match Environment.GetEnvironmentVariable "DOTNET_HOST_PATH" with
            | null
            | "" -> "dotnet"
            | path -> path

        let info =
            ProcessStartInfo(dotnet, [ "exec"; app ], RedirectStandardOutput = true, RedirectStandardError = true)

        info.Environment.Clear()

        for k, v in
            [
                "PATH", Environment.GetEnvironmentVariable "PATH"
                "HOME", home.Path
                "HERMES_HOME", home.Path
                "XAI_API_KEY", "xai-sample-key-123456"
                "XAI_BASE_URL", api.Url "/v1"
                // Should the sample ever stop reading XAI_BASE_URL, its requests go to a dead local proxy, never off the machine.
                "HTTPS_PROXY", "http://127.0.0.1:9"
                "HTTP_PROXY", "http://127.0.0.1:9"
                "NO_PROXY", "127.0.0.1,localhost"
                "DOTNET_NOLOGO", "1"
            ] do
            info.Environment[k] <- v

        use proc = Process.Start info
        let! out = proc.StandardOutput.ReadToEndAsync()
        let! err = proc.StandardError.ReadToEndAsync()
        do! proc.WaitForExitAsync()
        Assert.True((0 = proc.ExitCode), err)
        return out.Split('\n', StringSplitOptions.RemoveEmptyEntries ||| StringSplitOptions.TrimEntries)
    }

/// What the sample must have done: two portrait images generated (one request with xAI's n 2), then the first edited, all files in $HERMES_HOME.
let assertSampleRan (home: TestHome) (api: LoopbackServer) (generated: byte[]) (edited: byte[]) (files: string[]) =
    Assert.Equal(3, files.Length)

    for file in files[0..1] do
        assertLocalFile home file generated

    assertLocalFile home files[2] edited

    Assert.Equal<string list>(
        [ "/v1/images/edits"; "/v1/images/generations" ],
        api.Requests |> List.filter (fun r -> r.Method = "POST") |> List.map (fun r -> r.Path) |> List.sort
    )

    for request in api.Requests do
        Assert.Equal(Some "Bearer xai-sample-key-123456", request.Header "Authorization")

    for request in api.Requests |> List.filter (fun r -> r.Path.EndsWith "generations") do
        Assert.Equal("2:3", jsonField request.Body "aspect_ratio")
        Assert.Equal(2, askedImages request)

[<Fact>]
let ``the library example, run as an app, writes two portrait images from a loopback xAI into $HERMES_HOME and edits the first`` () =
    task {
        use home = new TestHome()
        let generated, edited = png 71, png 72
        use api = sampleApi generated edited
        let! files = runSample sampleDll home api
        assertSampleRan home api generated edited files
    }
