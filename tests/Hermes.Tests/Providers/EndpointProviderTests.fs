/// more-providers.md "openai-compatible": named endpoints of config.yaml against loopback fakes of the OpenAI and Azure shapes.
module Hermes.Tests.Providers.EndpointProviderTests

open System
open System.Net
open System.Threading
open Xunit
open Hermes.Domain
open Hermes
open Hermes.Providers.Config
open Hermes.Providers.Core
open Hermes.Providers.Endpoints
open Hermes.Providers.Library
open Hermes.Tests.Support
open Hermes.Tests.Support.Fakes
open Hermes.Tests.Providers.EditProviderTests
open Hermes.Tests.Trust.HostileFakes

let gatewayKey = "gw-secret-0123456789abcdefXYZ"
let azureKey = "az0123456789abcdef0123456789abcd"

/// config.yaml with an openai endpoint at {fake}/v1 and an azure endpoint at {fake}.
let endpointsYaml (fake: LoopbackServer) =
    sprintf
        """image_gen:
  endpoints:
    my-gateway:
      base_url: %s/v1
      key_env: MY_GATEWAY_KEY
      models: [flux-pro, vendor/seedream-4]
      kind: openai
    my-azure:
      base_url: %s
      key_env: MY_AZURE_CREDENTIAL
      models: [image-deploy]
      kind: azure
"""
        fake.BaseUrl
        fake.BaseUrl

let keys = [ "MY_GATEWAY_KEY", gatewayKey; "MY_AZURE_CREDENTIAL", azureKey ]

/// The named endpoint of a home whose config.yaml names the fake.
let endpoint (home: TestHome) (fake: LoopbackServer) (name: string) : IImageGenProvider =
    home.WriteConfig(endpointsYaml fake)
    let client = HermesClient(home.Context keys)
    client.Registry.Find name

let generate (provider: IImageGenProvider) (options: GenerateOptions) =
    provider.GenerateAsync("a lighthouse", AspectRatio.Landscape, options, CancellationToken.None)

let azureGenerations = "POST", "/openai/deployments/image-deploy/images/generations"
let azureEdits = "POST", "/openai/deployments/image-deploy/images/edits"

[<Fact>]
let ``openai kind: POST {base}/images/generations with the Bearer key and the model passed through, b64 saved`` () =
    task {
        use home = new TestHome()
        let image = png 2000

        use fake =
            new LoopbackServer(Reply.routes [ ("POST", "/v1/images/generations"), Reply.json 200 (b64Response image) ])

        let! result = generate (endpoint home fake "my-gateway") (GenerateOptions(Model = "vendor/seedream-4"))
        let ok = success result
        assertLocalFile home ok.Image image
        Assert.Equal("my-gateway", ok.Provider)
        Assert.Equal("vendor/seedream-4", ok.Model)
        let request = Assert.Single fake.Requests
        Assert.Equal(Some("Bearer " + gatewayKey), request.Header "Authorization")
        Assert.Equal(None, request.Header "api-key")
        assertJson """{"model":"vendor/seedream-4","prompt":"a lighthouse","size":"1536x1024","n":1}""" request.Body
    }

[<Fact>]
let ``openai kind: an edit is multipart to {base}/images/edits with image[] parts, the mask and the model`` () =
    task {
        use home = new TestHome()
        use dir = new SourceDir()
        let output = png 1500

        use fake =
            new LoopbackServer(Reply.routes [ ("POST", "/v1/images/edits"), Reply.json 200 (b64Response output) ])

        let room = dir.Write("room.png", photo)
        let mask = dir.Write("mask.png", maskPng)

        let! result =
            generate (endpoint home fake "my-gateway") (GenerateOptions(Sources = [ room; dataUrl "image/jpeg" (jpeg 300) ], Mask = mask))

        let ok = success result
        assertLocalFile home ok.Image output
        Assert.Equal<obj>(2, ok.Extras["source_count"])
        let request = Assert.Single fake.Requests
        Assert.Equal(Some("Bearer " + gatewayKey), request.Header "Authorization")
        let parts = formParts request
        Assert.Equal<string list>([ "model"; "prompt"; "image[]"; "image[]"; "mask"; "size"; "n" ], parts |> List.map _.Name)
        Assert.Equal("flux-pro", (parts |> List.find (fun p -> p.Name = "model")).Text)
        Assert.Equal<byte[]>(photo, parts[2].Bytes)
        Assert.Equal(Some "room.png", parts[2].FileName)
        Assert.Equal<byte[]>(maskPng, (parts |> List.find (fun p -> p.Name = "mask")).Bytes)
    }

[<Fact>]
let ``azure kind: POST {base}/openai/deployments/{model}/images/generations?api-version with the api-key header, never Bearer`` () =
    task {
        use home = new TestHome()
        let image = png 1000

        use fake =
            new LoopbackServer(Reply.routes [ azureGenerations, Reply.json 200 (b64Response image) ])

        let! result = generate (endpoint home fake "my-azure") GenerateOptions.Default
        let ok = success result
        assertLocalFile home ok.Image image
        Assert.Equal("image-deploy", ok.Model)
        let request = Assert.Single fake.Requests
        Assert.Equal<Map<string, string>>(Map [ "api-version", Endpoints.defaultAzureApiVersion ], request.Query)
        Assert.Equal(Some azureKey, request.Header "api-key")
        Assert.Equal(None, request.Header "Authorization")
        assertJson """{"prompt":"a lighthouse","size":"1536x1024","n":1}""" request.Body
    }

[<Fact>]
let ``azure kind: an edit is multipart to the deployment's /images/edits with the api-version and api-key, no model field`` () =
    task {
        use home = new TestHome()
        use dir = new SourceDir()
        let output = png 1200

        use fake =
            new LoopbackServer(Reply.routes [ azureEdits, Reply.json 200 (b64Response output) ])

        let room = dir.Write("room.png", photo)
        let! result = generate (endpoint home fake "my-azure") (GenerateOptions(Sources = [ room ], InputFidelity = "high"))
        assertLocalFile home (success result).Image output
        let request = Assert.Single fake.Requests
        Assert.Equal(Some Endpoints.defaultAzureApiVersion, request.Query.TryFind "api-version")
        Assert.Equal(Some azureKey, request.Header "api-key")
        Assert.Equal(None, request.Header "Authorization")
        Assert.Equal<string list>([ "prompt"; "image[]"; "size"; "n"; "input_fidelity" ], formParts request |> List.map _.Name)
    }

[<Fact>]
let ``the key an endpoint echoes back in an error is redacted to its prefix`` () =
    task {
        use home = new TestHome()

        use fake =
            new LoopbackServer(
                Reply.routes
                    [
                        azureGenerations,
                        Reply.json 401 (sprintf """{"error":{"code":"401","message":"Access denied: key %s is invalid"}}""" azureKey)
                    ]
            )

        let! result = generate (endpoint home fake "my-azure") GenerateOptions.Default
        let error = expectErrorKind ErrorKind.Auth result
        Assert.DoesNotContain(azureKey, error.Message)
        Assert.Contains(azureKey.Substring(0, 6), error.Message)
        Assert.Empty(home.CachedFiles())
    }

[<Fact>]
let ``a URL answer on the endpoint's own host is downloaded: that host is trusted like a base-URL variable`` () =
    task {
        use home = new TestHome()
        let image = png 800
        let mutable self: LoopbackServer option = None

        use fake =
            new LoopbackServer(
                Reply.routes
                    [
                        ("POST", "/v1/images/generations"), (fun r c -> Reply.json 200 (urlResponse (self.Value.Url "/files/out.png")) r c)
                        ("GET", "/files/out.png"), Reply.bytes 200 "image/png" image
                    ]
            )

        self <- Some fake
        let! result = generate (endpoint home fake "my-gateway") GenerateOptions.Default
        assertLocalFile home (success result).Image image
    }

[<Fact>]
let ``a URL answer on 127.0.0.2 or a file: URL is refused and nothing is fetched or kept`` () =
    task {
        use internalService = new Sentinel(IPAddress.Parse "127.0.0.2")

        for url in [ internalService.Url("127.0.0.2", "/image.png"); "file:///etc/hostname" ] do
            use home = new TestHome()

            use fake =
                new LoopbackServer(Reply.routes [ azureGenerations, Reply.json 200 (urlResponse url) ])

            let! result = generate (endpoint home fake "my-azure") GenerateOptions.Default
            expectErrorKind ErrorKind.InvalidResponse result |> ignore
            Assert.Empty(home.CachedFiles())

        Assert.Equal(0, internalService.Connections)
    }

[<Fact>]
let ``a model the endpoint does not list is refused before any request, naming its models`` () =
    task {
        use home = new TestHome()
        use fake = new LoopbackServer(Reply.json 200 (b64Response (png 10)))
        let! result = generate (endpoint home fake "my-gateway") (GenerateOptions(Model = "flux-pr"))
        let error = expectErrorKind ErrorKind.InvalidArgument result
        Assert.Contains("flux-pro, vendor/seedream-4", error.Message)
        Assert.Empty fake.Requests
    }

[<Fact>]
let ``without its key the endpoint is Missing with the fix, and generating sends nothing`` () =
    task {
        use home = new TestHome()
        use fake = new LoopbackServer(Reply.json 200 (b64Response (png 10)))
        home.WriteConfig(endpointsYaml fake)
        let client = HermesClient(home.Context [])

        let status =
            client.Providers() |> Seq.find (fun s -> s.Provider.Name = "my-gateway")

        Assert.Equal("image_gen/my-gateway", status.Key)

        Assert.Equal(
            Availability.Missing "endpoint my-gateway needs its key in MY_GATEWAY_KEY (image_gen.endpoints.my-gateway.key_env)",
            status.Availability
        )

        let! result = client.GenerateAsync("a fox", HermesGenerateOptions(Provider = "my-gateway"), CancellationToken.None)
        Assert.Equal("not_available", result.Error.ErrorType)
        Assert.Contains("MY_GATEWAY_KEY", result.Error.Message)
        Assert.Empty fake.Requests
    }

[<Fact>]
let ``the library registers each endpoint after the bundled providers and generates through the one named`` () =
    task {
        use home = new TestHome()

        use fake =
            new LoopbackServer(Reply.routes [ ("POST", "/v1/images/generations"), answerAsked ])

        home.WriteConfig(endpointsYaml fake + "  provider: my-gateway\n")
        let client = HermesClient(home.Context keys)

        Assert.Equal<string list>(
            [ "fal"; "xai"; "openai"; "openai-codex"; "gemini"; "my-gateway"; "my-azure" ],
            client.Registry.All |> Seq.map _.Name |> List.ofSeq
        )

        let! result = client.GenerateAsync("a fox", HermesGenerateOptions(Count = 2), CancellationToken.None)
        Assert.True(result.IsSuccess, sprintf "%A" result.Failures)
        Assert.Equal("my-gateway", result.Provider)
        Assert.Equal("flux-pro", result.Model)
        Assert.Equal(2, result.Images.Count)
        // an OpenAI-compatible endpoint takes n: one request makes both
        let request = Assert.Single fake.Requests
        Assert.Equal(2, askedImages request)
    }

[<Fact>]
let ``a ready endpoint is never the automatic pick: it runs only when named`` () =
    use home = new TestHome()
    use fake = new LoopbackServer(Reply.json 200 (b64Response (png 10)))
    home.WriteConfig(endpointsYaml fake)
    let client = HermesClient(home.Context keys)
    Assert.Equal("legacy_fal", (Dispatch.reduce (client.Plan().Outcome.Decision)).DispatchKind)
    Assert.Equal(Decision.Plugin("my-azure", "image-deploy"), client.Plan(provider = "my-azure").Outcome.Decision)

    Assert.Equal(
        Decision.Plugin("xai", "grok-imagine-image"),
        HermesClient(home.Context(keys @ [ "XAI_API_KEY", "xai-k" ])).Plan().Outcome.Decision
    )

let private loadError (yaml: string) =
    use home = new TestHome()
    home.WriteConfig yaml

    match HermesConfig.Load(home.Path).Case with
    | :? ConfigError as error -> error
    | other -> failwithf "config loaded: %A" other

[<Fact>]
let ``a bad endpoint makes config.yaml an Invalid config error naming the file and the value, and the context refuses to open`` () =
    let error =
        loadError "image_gen:\n  endpoints:\n    openai:\n      base_url: https://gw.example/v1\n      key_env: K\n      models: [m]\n"

    Assert.Equal(ConfigFailure.Invalid, error.Failure)
    Assert.Contains("config.yaml: invalid endpoint name 'openai'", error.Message)
    Assert.Equal(ErrorKind.Config, error.ToHermesError().Kind)

    let shape = loadError "image_gen:\n  endpoints: [a, b]\n"
    Assert.Equal(ConfigFailure.WrongShape, shape.Failure)
    Assert.Contains("image_gen.endpoints must be a section of named endpoints", shape.Message)

[<Fact>]
let ``the library's settings check an endpoint's name and values as config.yaml would, and write the good ones`` () =
    use home = new TestHome()
    let client = HermesClient(home.Context [])

    let refused (key: string) (value: string) =
        (EitherExpect.leftOf (HermesSettings.Set(client, key, value))).Message

    Assert.DoesNotContain("pw", refused "image_gen.endpoints.gw.base_url" "https://u:pw@gw.example/v1")
    Assert.StartsWith("invalid endpoint name 'Gemini'", refused "image_gen.endpoints.Gemini.kind" "openai")
    Assert.StartsWith("invalid image_gen.endpoints.gw.kind 'bedrock'", refused "image_gen.endpoints.gw.kind" "bedrock")

    EitherExpect.rightOf (HermesSettings.Set(client, "image_gen.endpoints.gw.base_url", "http://127.0.0.1:8080/v1"))
    |> ignore

    Assert.Equal(
        "http://127.0.0.1:8080/v1",
        EitherExpect.someOf (EitherExpect.rightOf (HermesSettings.Get(client, "image_gen.endpoints.gw.base_url")))
    )

[<Fact>]
let ``an endpoint takes OpenAI's output controls on the wire, and refuses a seed before any request`` () =
    task {
        use home = new TestHome()

        use fake =
            new LoopbackServer(Reply.routes [ azureGenerations, Reply.json 200 (b64Response (png 200)) ])

        let provider = endpoint home fake "my-azure"

        let! result =
            generate provider (GenerateOptions(Size = "1024x1024", Quality = "low", OutputFormat = "jpeg", Compression = 60))

        success result |> ignore

        assertJson
            """{"prompt":"a lighthouse","size":"1024x1024","n":1,"quality":"low","output_format":"jpeg","output_compression":60}"""
            (Assert.Single fake.Requests).Body

        let! seeded = generate provider (GenerateOptions(Seed = 5))
        Assert.StartsWith("seed '5' is not taken by openai", (expectErrorKind ErrorKind.InvalidArgument seeded).Message)
        Assert.Single fake.Requests |> ignore
    }
