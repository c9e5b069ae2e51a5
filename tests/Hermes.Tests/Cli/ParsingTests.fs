/// trust.md "Money": a paid request is never sent for a typo. Process tests against a loopback fake.
module Hermes.Tests.Cli.ParsingTests

open System.IO
open Xunit
open Hermes.Tests.Cli.HermesProcess
open Hermes.Tests.Support
open Hermes.Tests.Support.Fakes
open Hermes.Cli

let private args (line: string) = line.Split '|' |> List.ofArray

[<Theory>]
[<InlineData("generate|-x|p", "unknown option '-x'")>]
[<InlineData("generate|--fox|p", "unknown option '--fox'")>]
[<InlineData("generate|-x", "unknown option '-x'")>]
[<InlineData("generate|p|-x", "unknown option '-x'")>]
[<InlineData("generate|--count=abc|p", "'--count' must be followed by <n>, but was 'abc'")>]
[<InlineData("generate|--count|abc|p", "'--count' must be followed by <n>, but was 'abc'")>]
[<InlineData("generate|p|--modle|grok-imagine-image", "did you mean '--model'?")>]
[<InlineData("generate|--json=yes|p", "option '--json' takes no value")>]
[<InlineData("generate|p|--provider", "'--provider' must be followed by <name>")>]
[<InlineData("generate|a|b", "unrecognized argument: 'b'")>]
[<InlineData("generate|p|--|more", "the prompt is given twice")>]
[<InlineData("generate|--prompt-file|missing.txt", "cannot read --prompt-file 'missing.txt'")>]
[<InlineData("generat|p", "did you mean 'generate'?")>]
let ``no request reaches the provider for an unknown flag or option, with or without --json`` (line: string, message: string) =
    task {
        use home = new TestHome()
        use api = xaiApi 200
        let! text = hermes home (xaiEnv api) (args line)
        Assert.Equal(2, text.Code)
        Assert.Contains(message, oneLineError text)
        Assert.Equal("", text.Out)
        let! json = hermes home (xaiEnv api) (List.head (args line) :: "--json" :: List.tail (args line))
        let doc = expectErrorDocument "usage" json
        Assert.Contains(message, doc.GetProperty("error").GetString())
        Assert.Empty(api.Requests)
    }

[<Theory>]
[<InlineData("generate|p|--provider|xia",
             "image_gen.provider 'xia' is not a registered image provider; registered: fal, xai, openai, openai-codex, gemini; did you mean 'xai'?")>]
[<InlineData("generate|p|--model|grok-imagine-imag",
             "invalid model 'grok-imagine-imag': allowed values are grok-imagine-image, grok-imagine-image-quality, grok-imagine-image-2.0 (provider xai); did you mean 'grok-imagine-image'?")>]
[<InlineData("models|--provider|opnai",
             "invalid provider 'opnai': allowed values are fal, xai, openai, openai-codex, gemini; did you mean 'openai'?")>]
[<InlineData("auth|add|xai-auth", "invalid provider 'xai-auth': allowed values are xai-oauth, grok-oauth, x-ai-oauth, xai-grok-oauth; did you mean 'xai-oauth'?")>]
let ``a mistyped provider or model is refused with did-you-mean before anything is sent`` (line: string, message: string) =
    task {
        use home = new TestHome()
        use api = xaiApi 200
        let! run = hermes home (xaiEnv api) (args line)
        Assert.Equal(2, run.Code)
        Assert.Equal("hermes: " + message, oneLineError run)
        Assert.Empty(api.Requests)
    }

[<Fact>]
let ``--flag=value reads like --flag value`` () =
    task {
        use home = new TestHome()
        use api = xaiApi 200

        let! run =
            hermes
                home
                (xaiEnv api)
                [
                    "generate"
                    "--count=2"
                    "--aspect=square"
                    "--provider=xai"
                    "a fox"
                    "--json"
                ]

        Assert.Equal(0, run.Code)
        Assert.Equal(2, (oneDocument run).GetProperty("images").GetArrayLength())
        // --count=2 on xAI is one request with n 2
        let request = Assert.Single api.Requests
        Assert.Equal(2, askedImages request)
        Assert.Equal("1:1", jsonField request.Body "aspect_ratio")
    }

[<Fact>]
let ``after -- a prompt may start with a dash, even look like --json`` () =
    task {
        use home = new TestHome()
        use api = xaiApi 200
        let! weird = hermes home (xaiEnv api) [ "generate"; "--"; "-weird prompt" ]
        let! flagLike = hermes home (xaiEnv api) [ "generate"; "--json"; "--"; "--json" ]
        Assert.Equal((0, 0), (weird.Code, flagLike.Code))
        Assert.Equal("--json", (oneDocument flagLike).GetProperty("prompt").GetString())
        Assert.Equal<string list>([ "-weird prompt"; "--json" ], api.Requests |> List.map (fun r -> jsonField r.Body "prompt"))
    }

[<Fact>]
let ``a prompt of - is read from stdin, --prompt-file FILE from the file`` () =
    task {
        use home = new TestHome()
        use api = xaiApi 200
        let file = Path.Combine(home.Path, "prompt.txt")
        File.WriteAllText(file, "a fox from a file\n")
        let! piped = hermesWithInput home (xaiEnv api) "a fox from stdin\n" [ "generate"; "-" ]
        let! spaced = hermes home (xaiEnv api) [ "generate"; "--prompt-file"; file ]
        let! assigned = hermes home (xaiEnv api) [ "generate"; "--prompt-file=" + file ]
        Assert.Equal((0, 0, 0), (piped.Code, spaced.Code, assigned.Code))

        Assert.Equal<string list>(
            [ "a fox from stdin"; "a fox from a file"; "a fox from a file" ],
            api.Requests |> List.map (fun r -> jsonField r.Body "prompt")
        )
    }

[<Fact>]
let ``-h prints the usage of every command and sends nothing`` () =
    task {
        use home = new TestHome()
        use api = xaiApi 200

        for path in CommandLine.paths Hermes.Tests.Cli.CommandLineTests.grammar do
            let! run = hermes home (xaiEnv api) (path @ [ "-h" ])
            Assert.Equal(0, run.Code)
            Assert.StartsWith("USAGE: " + String.concat " " ("hermes" :: path), run.Out)

        Assert.Empty(api.Requests)
    }
