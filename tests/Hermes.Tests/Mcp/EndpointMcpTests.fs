/// Named endpoints over MCP: list_providers shows them, generate_image runs one when named.
module Hermes.Tests.Mcp.EndpointMcpTests

open Xunit
open Hermes.Tests.Support
open Hermes.Tests.Support.Fakes
open Hermes.Tests.Mcp.McpSession
open Hermes.Tests.Providers.EndpointProviderTests

[<Fact>]
let ``list_providers shows a configured endpoint and generate_image with provider runs it`` () =
    task {
        use home = new TestHome()

        use api =
            new LoopbackServer(Reply.routes [ azureGenerations, Reply.json 200 (b64Response (png 64)) ])

        home.WriteConfig(endpointsYaml api)
        use! session = connect home keys []
        let! listed = session.Call("list_providers", [])

        let azure =
            (document listed).GetProperty("providers").EnumerateArray()
            |> Seq.find (fun p -> p.GetProperty("name").GetString() = "my-azure")

        Assert.True(azure.GetProperty("available").GetBoolean())
        let! result = session.Call("generate_image", [ "prompt", box "a fox"; "provider", box "my-azure" ])
        expectSuccess result
        Assert.StartsWith("1 image with my-azure · image-deploy", Assert.Single(texts result))
        let request = Assert.Single api.Requests
        Assert.Equal(Some azureKey, request.Header "api-key")
        Assert.Equal(1, home.CachedFiles().Length)
    }
