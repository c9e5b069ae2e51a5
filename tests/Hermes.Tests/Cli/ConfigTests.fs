/// `hermes config list|get|set|unset` as a process: keys and values checked, other keys kept, a corrupt file never lost.
module Hermes.Tests.Cli.ConfigTests

open System.IO
open Xunit
open Hermes.Tests.Cli.HermesProcess
open Hermes.Tests.Support

let private configPath (home: TestHome) = Path.Combine(home.Path, "config.yaml")

[<Fact>]
let ``config list, get, set and unset round-trip and keep every other key`` () =
    task {
        use home = new TestHome()
        home.WriteConfig "agent:\n  name: helper\nimage_gen:\n  xai:\n    resolution: 2k\n"
        let! set = hermes home [] [ "config"; "set"; "image_gen.timeout"; "90" ]
        Assert.Equal(0, set.Code)
        Assert.Equal("image_gen.timeout = 90", set.Out.Trim())
        let! list = hermes home [] [ "config"; "list" ]

        Assert.Equal<string list>(
            [
                "agent.name = helper"
                "image_gen.xai.resolution = 2k"
                "image_gen.timeout = 90"
            ],
            list.Out.Trim().Split('\n') |> List.ofArray
        )

        let! listed = hermes home [] [ "config"; "list"; "--json" ]
        let values = (oneDocument listed).GetProperty("values")
        Assert.False(values[0].GetProperty("known").GetBoolean())
        Assert.True(values[2].GetProperty("known").GetBoolean())
        let! unset = hermes home [] [ "config"; "unset"; "image_gen.xai.resolution" ]
        Assert.Equal((0, "unset image_gen.xai.resolution"), (unset.Code, unset.Out.Trim()))
        let! again = hermes home [] [ "config"; "unset"; "image_gen.xai.resolution"; "--json" ]
        Assert.Equal(0, again.Code)
        Assert.False((oneDocument again).GetProperty("removed").GetBoolean())
        let! gone = hermes home [] [ "config"; "get"; "image_gen.xai.resolution" ]
        Assert.Equal(1, gone.Code)
        let yaml = File.ReadAllText(configPath home)
        Assert.Contains("name: helper", yaml)
        Assert.DoesNotContain("xai:", yaml)
    }

[<Fact>]
let ``an unknown key is refused with did-you-mean and the file untouched; --force writes it`` () =
    task {
        use home = new TestHome()
        home.WriteConfig "image_gen:\n  provider: fal\n"
        let before = File.ReadAllText(configPath home)
        let! typo = hermes home [] [ "config"; "set"; "image_gen.provder"; "xai" ]
        Assert.Equal(2, typo.Code)

        Assert.Equal(
            "hermes: unknown config key 'image_gen.provder'; did you mean 'image_gen.provider'? (--force writes it anyway)",
            oneLineError typo
        )

        Assert.Equal(before, File.ReadAllText(configPath home))
        let! forced = hermes home [] [ "config"; "set"; "agent.name"; "helper"; "--force" ]
        Assert.Equal(0, forced.Code)
        Assert.Contains("not a key Hermes reads", forced.Err)
        let! read = hermes home [] [ "config"; "get"; "agent.name" ]
        Assert.Equal("helper", read.Out.Trim())
        let! unsetTypo = hermes home [] [ "config"; "unset"; "image_gen.provder" ]
        Assert.Equal(1, unsetTypo.Code)
        Assert.Contains("did you mean 'image_gen.provider'?", oneLineError unsetTypo)
    }

[<Theory>]
[<InlineData("image_gen.provider", "xai", "")>]
[<InlineData("image_gen.provider", "xia", "did you mean 'xai'?")>]
[<InlineData("image_gen.provider", "my-gateway", "")>]
[<InlineData("image_gen.xai.resolution", "1k", "")>]
[<InlineData("image_gen.xai.resolution", "4k", "allowed values are 1k, 2k")>]
[<InlineData("image_gen.timeout", "2.5", "")>]
[<InlineData("image_gen.timeout", "soon", "a positive number of seconds")>]
[<InlineData("image_gen.cache.max_age_days", "30", "")>]
[<InlineData("image_gen.cache.max_age_days", "a month", "a positive whole number of days")>]
[<InlineData("image_gen.cache.max_total_mb", "2048", "")>]
[<InlineData("image_gen.cache.max_total_mb", "0", "a positive whole number of megabytes")>]
let ``config set checks each value, a configured endpoint counting as a provider`` (key: string, value: string, refusal: string) =
    task {
        use home = new TestHome()
        home.WriteConfig "image_gen:\n  endpoints:\n    my-gateway:\n      base_url: https://gateway.example/v1\n"
        let! run = hermes home [] [ "config"; "set"; key; value ]

        if refusal = "" then
            Assert.Equal(0, run.Code)
            let! read = hermes home [] [ "config"; "get"; key ]
            Assert.Equal(value, read.Out.Trim())
        else
            Assert.Equal(2, run.Code)
            Assert.Contains(sprintf "invalid %s '%s'" key value, oneLineError run)
            Assert.Contains(refusal, run.Err)
    }

[<Fact>]
let ``a corrupt config.yaml is never overwritten without --force, which keeps it aside; auth and models still work`` () =
    task {
        use home = new TestHome()
        let corrupt = "image_gen: [unclosed"
        home.WriteConfig corrupt

        for args in
            [
                [ "config"; "set"; "image_gen.provider"; "xai" ]
                [ "config"; "get"; "image_gen.provider" ]
                [ "config"; "list" ]
            ] do
            let! refused = hermes home [] args
            Assert.Equal(5, refused.Code)
            Assert.StartsWith("hermes: " + configPath home + ": invalid YAML", oneLineError refused)

        Assert.Equal(corrupt, File.ReadAllText(configPath home))
        let! auth = hermes home [] [ "auth"; "list" ]
        let! models = hermes home [] [ "models"; "--provider"; "xai" ]
        Assert.Equal((0, 0), (auth.Code, models.Code))
        Assert.Contains("grok-imagine-image", models.Out)
        let! forced = hermes home [] [ "config"; "set"; "image_gen.provider"; "xai"; "--force"; "--json" ]
        Assert.Equal(0, forced.Code)
        let aside = (oneDocument forced).GetProperty("set_aside").GetString()
        Assert.Equal(corrupt, File.ReadAllText aside)
        Assert.Equal("image_gen:\n  provider: xai\n", File.ReadAllText(configPath home))
    }
