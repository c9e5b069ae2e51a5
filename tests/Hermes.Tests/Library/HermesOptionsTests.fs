module Hermes.Tests.Library.HermesOptionsTests

open System
open System.Collections.Generic
open System.IO
open Xunit
open Hermes
open Hermes.Providers.Auth
open Hermes.Providers.Core
open Hermes.Tests.Support
open Hermes.Tests.Support.Fakes

let openAiKey = "sk-explicit-abcdef123456"

/// An OpenAI images API on loopback answering every generation with one image.
let openAiServer (image: byte[]) =
    new LoopbackServer(Reply.routes [ ("POST", "/v1/images/generations"), Reply.json 200 (b64Response image) ])

/// Stands in for the process environment of the opted-in path: a FAL key pointing at the fake FAL.
let processWithFal (home: TestHome) (fal: FakeFal) =
    HermesEnvironment.Of(
        [ "HOME", home.Path; "HERMES_HOME", home.Path; "FAL_KEY", "fal-process-key-123456"; "FAL_QUEUE_BASE_URL", fal.BaseUrl ]
        |> List.map KeyValuePair
    )

[<Fact>]
let ``options with only an OpenAI key run OpenAI and read no variable of the process`` () =
    task {
        use home = new TestHome()
        use fal = new FakeFal()
        use openAi = openAiServer (png 81)

        let client =
            HermesClient(HermesOptions(OpenAiApiKey = openAiKey, OpenAiBaseUrl = openAi.Url "/v1", HermesHome = home.Path))

        let! result = client.GenerateAsync("a red fox in snow")
        Assert.True(result.IsSuccess, string result.Error)
        Assert.Equal("openai", result.Provider)
        assertLocalFile home result.Image (png 81)
        Assert.Equal(Some("Bearer " + openAiKey), (Seq.exactlyOne openAi.Requests).Header "Authorization")
        Assert.Empty fal.Requests

        Assert.Equal<string list>(
            [ "HERMES_HOME"; "OPENAI_API_KEY"; "OPENAI_BASE_URL" ],
            client.Context.Environment.Variables.Keys |> Seq.sort |> List.ofSeq
        )
    }

[<Fact>]
let ``options from the environment run the provider the environment has a key for`` () =
    task {
        use home = new TestHome()
        use fal = new FakeFal()
        use openAi = openAiServer (png 82)
        let! result = HermesClient(HermesOptions().UseEnvironment(processWithFal home fal)).GenerateAsync("a red fox in snow")
        Assert.True(result.IsSuccess, string result.Error)
        Assert.Equal("fal", result.Provider)
        Assert.Single fal.Submits |> ignore
        Assert.Empty openAi.Requests
    }

[<Fact>]
let ``an explicit OpenAI key wins over the FAL_KEY of the environment`` () =
    task {
        use home = new TestHome()
        use fal = new FakeFal()
        use openAi = openAiServer (png 83)

        let options =
            HermesOptions(OpenAiApiKey = openAiKey, OpenAiBaseUrl = openAi.Url "/v1").UseEnvironment(processWithFal home fal)

        let! result = HermesClient(options).GenerateAsync("a red fox in snow")
        Assert.True(result.IsSuccess, string result.Error)
        Assert.Equal("openai", result.Provider)
        Assert.Single openAi.Requests |> ignore
        Assert.Empty fal.Requests
    }

[<Fact>]
let ``with two explicit keys Provider chooses`` () =
    task {
        use home = new TestHome()
        use fal = new FakeFal()
        use openAi = openAiServer (png 84)

        let options =
            HermesOptions(
                FalKey = "fal-explicit-123456",
                FalBaseUrl = fal.BaseUrl,
                OpenAiApiKey = openAiKey,
                OpenAiBaseUrl = openAi.Url "/v1",
                Provider = "openai",
                HermesHome = home.Path
            )

        let! result = HermesClient(options).GenerateAsync("a red fox in snow")
        Assert.Equal("openai", result.Provider)
        Assert.Empty fal.Requests
    }

[<Fact>]
let ``config.yaml and .env of the home are read only after UseUserProfile`` () =
    task {
        use home = new TestHome()
        use openAi = openAiServer (png 85)
        home.WriteConfig "image_gen:\n  provider: openai\n"
        File.WriteAllText(Path.Combine(home.Path, ".env"), sprintf "OPENAI_API_KEY=%s\nOPENAI_BASE_URL=%s\n" openAiKey (openAi.Url "/v1"))
        let plain = HermesOptions(HermesHome = home.Path)
        let! without = HermesClient(plain).GenerateAsync("a red fox in snow")
        Assert.False without.IsSuccess
        Assert.Equal("not_available", without.Error.ErrorType)
        Assert.Empty openAi.Requests
        let! profiled = HermesClient(plain.UseUserProfile()).GenerateAsync("a red fox in snow")
        Assert.True(profiled.IsSuccess, string profiled.Error)
        Assert.Equal("openai", profiled.Provider)
    }

[<Fact>]
let ``an unreadable config.yaml is every call's error, before any request`` () =
    task {
        use home = new TestHome()
        use openAi = openAiServer (png 86)
        home.WriteConfig "image_gen: [unclosed"

        let options =
            HermesOptions(OpenAiApiKey = openAiKey, OpenAiBaseUrl = openAi.Url "/v1", HermesHome = home.Path).UseUserProfile()

        let! result = HermesClient(options).GenerateAsync("a red fox in snow")
        Assert.Equal("config", result.Error.ErrorType)
        Assert.Contains("config.yaml", result.Error.Message)
        Assert.Empty openAi.Requests
    }

[<Fact>]
let ``sign-ins are neither read nor written without the user profile`` () =
    task {
        use home = new TestHome()
        File.WriteAllText(home.AuthPath, "not json")
        let closed = AuthStore(home.AuthPath, ReadsSignIns = false)
        Assert.True(closed.Read().IsRight)
        Assert.True(AuthStore(home.AuthPath).Read().IsLeft)
        let! written = closed.UpdateAsync<int>(Hermes.Tests.Storage.OwnedFileTests.noChange, Threading.CancellationToken.None)
        Assert.True(written.IsLeft)
        Assert.Equal("not json", File.ReadAllText home.AuthPath)
    }

[<Fact>]
let ``a null options object is a programmer error`` () =
    Assert.Throws<ArgumentNullException>(fun () -> HermesClient(Unchecked.defaultof<HermesOptions>) |> ignore)
    |> ignore

[<Fact>]
let ``printed options show keys as their prefix only`` () =
    let options =
        HermesOptions(OpenAiApiKey = openAiKey, FalKey = "fal-secret-abcdef123456", Variables = readOnlyDict [ "XAI_API_KEY", "xai-secret-abcdef123456" ])

    let printed = string options
    Assert.Contains("OPENAI_API_KEY = sk-exp…", printed)
    Assert.DoesNotContain(openAiKey, printed)
    Assert.DoesNotContain("fal-secret-abcdef123456", printed)
    Assert.DoesNotContain("xai-secret", printed)

[<Fact>]
let ``printed options show base URLs without user info, query or fragment`` () =
    let options =
        HermesOptions(
            OpenAiBaseUrl = "https://gateway.example/v1?token=gw-secret-abcdef123456",
            XaiBaseUrl = "https://user:pw-secret-abcdef@proxy.example/v1",
            GeminiBaseUrl = "https://gemini.example"
        )

    let printed = string options
    Assert.Contains("https://gateway.example/v1", printed)
    Assert.Contains("https://gemini.example", printed)
    Assert.DoesNotContain("gw-secret", printed)
    Assert.DoesNotContain("pw-secret", printed)
