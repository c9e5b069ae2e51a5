/// Named endpoints from the command line: the built `hermes` against loopback fakes of the OpenAI and Azure shapes.
module Hermes.Tests.Cli.EndpointCliTests

open System.IO
open System.Text.Json.Nodes
open Xunit
open Hermes.Tests.Support
open Hermes.Tests.Support.Fakes
open Hermes.Tests.Cli.HermesProcess
open Hermes.Tests.Providers.EndpointProviderTests

let private providerRow (run: Run) (name: string) =
    (JsonNode.Parse run.Out).["providers"].AsArray()
    |> Seq.tryFind (fun p -> p.["name"].GetValue<string>() = name)

[<Fact>]
let ``generate --provider names an endpoint: the request goes to it with its key and default model`` () =
    task {
        use home = new TestHome()

        use api =
            new LoopbackServer(Reply.routes [ ("POST", "/v1/images/generations"), Reply.json 200 (b64Response (png 64)) ])

        home.WriteConfig(endpointsYaml api)
        let! run = hermes home keys [ "generate"; "a synth"; "--provider"; "my-gateway"; "--json" ]
        Assert.Equal(0, run.Code)
        let doc = JsonNode.Parse run.Out
        Assert.Equal("my-gateway", textAt doc [ "provider" ])
        Assert.Equal("flux-pro", textAt doc [ "model" ])
        let request = Assert.Single api.Requests
        Assert.Equal(Some("Bearer " + gatewayKey), request.Header "Authorization")
        Assert.Equal("flux-pro", jsonField request.Body "model")
        Assert.DoesNotContain(gatewayKey, run.Out + run.Err)
    }

[<Fact>]
let ``generate --image on an endpoint is an edit sent to its /images/edits, not refused as a provider without edits`` () =
    task {
        use home = new TestHome()

        use api =
            new LoopbackServer(Reply.routes [ ("POST", "/v1/images/edits"), Reply.json 200 (b64Response (png 65)) ])

        use work = new TestHome()
        let source = Path.Combine(work.Path, "room.png")
        File.WriteAllBytes(source, png 66)
        home.WriteConfig(endpointsYaml api)
        let! run = hermes home keys [ "generate"; "paint it green"; "--provider"; "my-gateway"; "--image"; source; "--json" ]
        Assert.Equal(0, run.Code)
        let request = Assert.Single api.Requests
        Assert.Equal("/v1/images/edits", request.Path)
        Assert.Equal(Some("Bearer " + gatewayKey), request.Header "Authorization")
    }

[<Fact>]
let ``providers lists each endpoint, Missing with its fix until its key is set, and models lists its models`` () =
    task {
        use home = new TestHome()
        use api = new LoopbackServer(Reply.json 500 "{}")
        home.WriteConfig(endpointsYaml api)
        let! without = hermes home [] [ "providers"; "--json" ]
        Assert.Equal(0, without.Code)
        let row = (providerRow without "my-azure").Value
        Assert.False(row.["available"].GetValue<bool>())
        Assert.Contains("MY_AZURE_CREDENTIAL", row.["reason"].GetValue<string>())
        Assert.Equal("image_gen/my-azure", row.["key"].GetValue<string>())
        let! withKeys = hermes home keys [ "providers"; "--json" ]
        Assert.True((providerRow withKeys "my-azure").Value.["available"].GetValue<bool>())
        // a ready endpoint is not what generate would pick on its own
        Assert.Equal("legacy_fal", textAt (JsonNode.Parse withKeys.Out) [ "dispatch"; "dispatch_kind" ])
        let! models = hermes home keys [ "models"; "--provider"; "my-gateway"; "--json" ]
        Assert.Equal(0, models.Code)
        let rows = (JsonNode.Parse models.Out).AsArray() |> List.ofSeq
        Assert.Equal<string list>([ "flux-pro"; "vendor/seedream-4" ], rows |> List.map (fun r -> r.["id"].GetValue<string>()))
        Assert.True(rows.Head.["default"].GetValue<bool>())
        Assert.Equal(16, rows.Head.["max_source_images"].GetValue<int>())
        Assert.Empty api.Requests
    }

[<Theory>]
[<InlineData("xai", "https://gw.example/v1", "K", "invalid endpoint name 'xai'")>]
[<InlineData("gw", "file:///etc/passwd", "K", "base_url 'file:///etc/passwd'")>]
[<InlineData("gw", "https://user:pw@gw.example/v1", "K", "base_url 'https:…'")>]
[<InlineData("gw", "https://gw.example/v1?key=abc", "K", "base_url 'https:…'")>]
[<InlineData("gw", "https://gw.example/v1", "", "key_env is missing")>]
let ``a bad endpoint is a one-line config error, exit 2, and nothing is sent``
    (name: string, baseUrl: string, keyEnv: string, expected: string)
    =
    task {
        use home = new TestHome()
        use api = new LoopbackServer(Reply.json 200 (b64Response (png 64)))

        let keyLine =
            if keyEnv = "" then
                ""
            else
                sprintf "      key_env: %s\n" keyEnv

        home.WriteConfig(
            sprintf "image_gen:\n  provider: %s\n  endpoints:\n    %s:\n      base_url: %s\n%s      models: [m]\n" name name baseUrl keyLine
        )

        let! run =
            hermes
                home
                [
                    "K", "secret-value-123456"
                    "XAI_API_KEY", "xai-k"
                    "XAI_BASE_URL", api.Url "/v1"
                ]
                [ "generate"; "a fox" ]

        Assert.Equal(2, run.Code)
        let line = oneLineError run
        Assert.Contains(expected, line)
        Assert.Contains("config.yaml", line)
        Assert.DoesNotContain("pw@", line)
        Assert.Empty api.Requests
    }

[<Fact>]
let ``a key written into an endpoint of config.yaml is refused without being printed`` () =
    task {
        use home = new TestHome()
        let pasted = "sk-pasted-0123456789abcdefghijkl"

        home.WriteConfig(
            sprintf
                "image_gen:\n  endpoints:\n    gw:\n      base_url: https://gw.example/v1\n      key_env: GW_KEY\n      api_key: %s\n      models: [m]\n"
                pasted
        )

        let! run = hermes home [] [ "generate"; "a fox"; "--provider"; "gw" ]
        Assert.Equal(2, run.Code)
        Assert.Contains("a key does not belong in config.yaml", oneLineError run)
        Assert.DoesNotContain(pasted, run.Out + run.Err)
    }

[<Fact>]
let ``config set builds an endpoint key by key through the schema, and refuses a bad base_url`` () =
    task {
        use home = new TestHome()

        for key, value in
            [
                "image_gen.endpoints.gw.base_url", "https://gw.example/v1"
                "image_gen.endpoints.gw.key_env", "GW_KEY"
                "image_gen.endpoints.gw.models", "flux-pro, seedream-4"
                "image_gen.endpoints.gw.kind", "azure"
                "image_gen.endpoints.gw.api_version", "2024-10-21"
            ] do
            let! run = hermes home [] [ "config"; "set"; key; value ]
            Assert.True((run.Code = 0), sprintf "%s: %s" key run.Err)

        let! bad =
            hermes
                home
                []
                [
                    "config"
                    "set"
                    "image_gen.endpoints.gw.base_url"
                    "https://u:secretpw@gw.example/v1"
                ]

        Assert.Equal(2, bad.Code)
        Assert.DoesNotContain("secretpw", oneLineError bad)

        let! clash =
            hermes
                home
                []
                [
                    "config"
                    "set"
                    "image_gen.endpoints.gemini.base_url"
                    "https://gw.example/v1"
                ]

        Assert.Equal(2, clash.Code)
        Assert.Contains("invalid endpoint name 'gemini'", oneLineError clash)
        let! listed = hermes home [ "GW_KEY", "gw-key-0123456789" ] [ "models"; "--provider"; "gw"; "--json" ]
        Assert.Equal(0, listed.Code)
        Assert.Equal("flux-pro", textAt ((JsonNode.Parse listed.Out).AsArray().[0]) [ "id" ])
        Assert.Contains("api_version: 2024-10-21", File.ReadAllText(Path.Combine(home.Path, "config.yaml")))
    }

[<Fact>]
let ``providers still lists the bundled providers when an endpoint is refused, warning without the pasted key`` () =
    task {
        use home = new TestHome()
        let pasted = "sk-pasted-0123456789abcdefghijkl"

        home.WriteConfig(
            sprintf
                "image_gen:\n  endpoints:\n    gw:\n      base_url: https://gw.example/v1\n      key_env: %s\n      models: [m]\n"
                pasted
        )

        let! run = hermes home [] [ "providers"; "--json" ]
        Assert.Equal(0, run.Code)
        Assert.True((providerRow run "xai").IsSome)
        Assert.True((providerRow run "gw").IsNone)
        Assert.Contains("key_env", run.Out + run.Err)
        Assert.DoesNotContain(pasted, run.Out + run.Err)
    }
