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

[<Fact>]
let ``the library example, run as an app, writes two portrait images from a loopback xAI into $HERMES_HOME`` () =
    task {
        use home = new TestHome()
        let image = png 71

        use api =
            new LoopbackServer(Reply.routes [ ("POST", "/v1/images/generations"), Reply.json 200 (b64Response image) ])

        let dotnet =
            match Environment.GetEnvironmentVariable "DOTNET_HOST_PATH" with
            | null
            | "" -> "dotnet"
            | path -> path

        let info =
            ProcessStartInfo(dotnet, [ "exec"; sampleDll ], RedirectStandardOutput = true, RedirectStandardError = true)

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

        let files =
            out.Split('\n', StringSplitOptions.RemoveEmptyEntries ||| StringSplitOptions.TrimEntries)

        Assert.Equal(2, files.Length)

        for file in files do
            assertLocalFile home file image

        Assert.Equal(2, api.Requests.Length)

        for request in api.Requests do
            Assert.Equal(Some "Bearer xai-sample-key-123456", request.Header "Authorization")
            Assert.Equal("2:3", jsonField request.Body "aspect_ratio")
    }
