/// config.yaml as trust.md wants it: a broken file is a typed error naming it and the fix, and blocks only what needs it.
module Hermes.Tests.Storage.ConfigFileTests

open System.IO
open Xunit
open Hermes.Domain
open Hermes.Providers.Config
open Hermes.Tests.Support
open Hermes.Tests.Support.EitherExpect

let configPath (home: TestHome) = HermesConfig.PathIn home.Path

[<Theory>]
[<InlineData("image_gen: [unclosed", "invalid YAML at line")>]
[<InlineData("- just\n- a list", "the top level must be a mapping")>]
[<InlineData("image_gen: [xai, fal]", "image_gen must be a section of keys")>]
[<InlineData("image_gen:\n  provider: [xai, fal]", "image_gen.provider must be a single value")>]
[<InlineData("image_gen:\n  openai:\n    model: {a: b}", "image_gen.openai.model must be a single value")>]
let ``a corrupt or wrongly shaped config.yaml is a typed config error naming the file and the fix`` (yaml: string, problem: string) =
    use home = new TestHome()
    home.WriteConfig yaml
    let error = leftOf (HermesConfig.Load home.Path)
    Assert.Equal(configPath home, error.Path)
    Assert.Contains(configPath home, error.Message)
    Assert.Contains(problem, error.Message)
    Assert.Contains("--force", error.Message)

[<Fact>]
let ``YAML nested deeper than any config is refused before the reader can overflow its stack`` () =
    use home = new TestHome()
    home.WriteConfig("image_gen: " + String.replicate 200000 "[")
    let error = leftOf (HermesConfig.Load home.Path)
    Assert.Equal(ConfigFailure.Corrupt, error.Failure)
    Assert.Contains("deeper than 64", error.Message)

[<Fact>]
let ``a config.yaml that is a directory is an unreadable-config error`` () =
    use home = new TestHome()
    Directory.CreateDirectory(configPath home) |> ignore
    Assert.Equal(ConfigFailure.Unreadable, (leftOf (HermesConfig.Load home.Path)).Failure)

[<Fact>]
let ``commands that can run without config get the empty config and the problem as a warning`` () =
    use home = new TestHome()
    home.WriteConfig "image_gen: [unclosed"
    let loaded = HermesConfig.LoadOrEmpty home.Path
    Assert.Equal(HermesConfig.Empty, loaded.Config)
    Assert.Contains(configPath home, loaded.Problem.Message)

[<Fact>]
let ``a readable config loads with no problem`` () =
    use home = new TestHome()
    home.WriteConfig "image_gen:\n  provider: xai\n  xai:\n    resolution: 2k\n"
    let loaded = HermesConfig.LoadOrEmpty home.Path
    Assert.Null loaded.Problem
    Assert.Equal(Some "xai", loaded.Config.ImageGen.Provider)
    Assert.Equal("2k", loaded.Config.XaiResolution)

[<Fact>]
let ``an empty image_gen section is no settings, not an error`` () =
    use home = new TestHome()
    home.WriteConfig "image_gen:\n"
    Assert.Equal(HermesConfig.Empty, rightOf (HermesConfig.Load home.Path))

[<Fact>]
let ``config set refuses to overwrite a broken config.yaml unless forced, and then keeps the old one`` () =
    use home = new TestHome()
    home.WriteConfig "image_gen: [unclosed"
    let refused = leftOf (HermesConfig.Set(home.Path, "image_gen.provider", "xai"))
    Assert.Equal(ErrorKind.Config, refused.Kind)
    Assert.Contains("--force", refused.Message)
    Assert.Equal("image_gen: [unclosed", File.ReadAllText(configPath home))

    rightOf (HermesConfig.Set(home.Path, "image_gen.provider", "xai", force = true))
    |> ignore

    Assert.Equal("image_gen: [unclosed", File.ReadAllText(configPath home + ".broken"))
    Assert.Equal(Some "xai", (rightOf (HermesConfig.Load home.Path)).ImageGen.Provider)

[<Fact>]
let ``config set on an unreadable config.yaml is an error even when forced`` () =
    use home = new TestHome()
    Directory.CreateDirectory(configPath home) |> ignore

    let refused =
        leftOf (HermesConfig.Set(home.Path, "image_gen.provider", "xai", force = true))

    Assert.Contains("is a directory", refused.Message)
    Assert.True(Directory.Exists(configPath home))
