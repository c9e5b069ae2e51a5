/// more-providers.md "openai-compatible": the pure check of image_gen.endpoints and the requests an endpoint sends.
module Hermes.Tests.Domain.EndpointRulesTests

open System
open Xunit
open FsCheck
open FsCheck.FSharp
open FsCheck.Xunit
open Hermes.Domain

let section (name: string) (fields: (string * EndpointValue) list) : EndpointSection = { Name = name; Fields = fields }

let text (value: string) = EndpointValue.Text value

let gateway =
    [
        "base_url", text "https://gateway.example/v1/"
        "key_env", text "MY_GATEWAY_KEY"
        "models", EndpointValue.Items [ "flux-pro"; "vendor/seedream-4" ]
        "kind", text "openai"
    ]

let azure =
    [
        "base_url", text "https://res.openai.azure.com"
        "key_env", text "AZURE_IMAGE_KEY"
        "models", text "image-deploy, other"
        "kind", text "azure"
    ]

let checkedOk fields =
    match Endpoints.check (section "my-gateway" fields) with
    | Ok endpoint -> endpoint
    | Error message -> failwithf "refused: %s" message

let refusal name fields =
    match Endpoints.check (section name fields) with
    | Ok endpoint -> failwithf "accepted %A" endpoint
    | Error message -> message

let replace (key: string) (value: EndpointValue) fields =
    fields |> List.map (fun (k, v) -> if k = key then k, value else k, v)

[<Fact>]
let ``an openai endpoint keeps its models in order, trims the base URL and has no api-version`` () =
    let endpoint = checkedOk gateway
    Assert.Equal("https://gateway.example/v1", endpoint.BaseUrl)
    Assert.Equal<string list>([ "flux-pro"; "vendor/seedream-4" ], endpoint.Models)
    Assert.Equal(EndpointKind.OpenAi, endpoint.Kind)
    Assert.Equal(None, endpoint.ApiVersion)
    let catalog = Endpoints.catalog endpoint
    Assert.Equal("my-gateway", catalog.Provider)
    Assert.Equal("flux-pro", catalog.DefaultModel)
    Assert.True(Catalog.accepts catalog "vendor/seedream-4")
    Assert.False(Catalog.accepts catalog "flux-pr")

[<Fact>]
let ``max_images defaults to the n limit of the OpenAI images API, and 1 makes one request an image`` () =
    Assert.Equal(ImageCount.openAiMax, (checkedOk gateway).MaxImages)
    Assert.Equal(1, (checkedOk (gateway @ [ "max_images", text "1" ])).MaxImages)
    Assert.Equal(4, (checkedOk (azure @ [ "max_images", text " 4 " ])).MaxImages)

[<Theory>]
[<InlineData("0")>]
[<InlineData("11")>]
[<InlineData("-1")>]
[<InlineData("two")>]
[<InlineData("1.5")>]
let ``max_images outside 1 to 10 is refused, naming the key, the value and what is allowed`` (value: string) =
    let message = refusal "my-gateway" (gateway @ [ "max_images", text value ])
    Assert.StartsWith($"invalid image_gen.endpoints.my-gateway.max_images '{value}'", message)
    Assert.Contains("a whole number from 1 to 10", message)
    Assert.Equal(Some(Error message), Endpoints.checkSetting "my-gateway" "max_images" value |> Option.map (Result.mapError _.Message))

[<Fact>]
let ``kind defaults to openai; an azure endpoint gets the documented api-version unless it names one`` () =
    Assert.Equal(EndpointKind.OpenAi, (checkedOk (gateway |> List.filter (fst >> (<>) "kind"))).Kind)
    let endpoint = checkedOk azure
    Assert.Equal(Some Endpoints.defaultAzureApiVersion, endpoint.ApiVersion)
    Assert.Equal<string list>([ "image-deploy"; "other" ], endpoint.Models)
    Assert.Equal(Some "2024-10-21", (checkedOk (azure @ [ "api_version", text "2024-10-21" ])).ApiVersion)

[<Theory>]
[<InlineData("base_url",
             "ftp://gateway.example/v1",
             "invalid image_gen.endpoints.my-gateway.base_url 'ftp://gateway.example/v1': allowed values are an absolute http(s) URL")>]
[<InlineData("base_url",
             "https://gateway.example/v1?api-key=1",
             "invalid image_gen.endpoints.my-gateway.base_url 'https:…'")>]
[<InlineData("base_url", "https://gateway.example/v1#x", "invalid image_gen.endpoints.my-gateway.base_url")>]
[<InlineData("base_url", "/v1", "invalid image_gen.endpoints.my-gateway.base_url '/v1'")>]
[<InlineData("key_env", "MY KEY", "invalid image_gen.endpoints.my-gateway.key_env '…'")>]
[<InlineData("kind", "gemini", "invalid image_gen.endpoints.my-gateway.kind 'gemini': allowed values are openai, azure")>]
[<InlineData("models", "", "invalid image_gen.endpoints.my-gateway.models '': allowed values are one or more model ids")>]
[<InlineData("models", "flux pro", "invalid image_gen.endpoints.my-gateway.models 'flux pro'")>]
let ``a bad value is one line naming the key, the value and what is allowed`` (key: string, value: string, expected: string) =
    let message = refusal "my-gateway" (replace key (text value) gateway)
    Assert.StartsWith(expected, message)
    Assert.DoesNotContain("\n", message)

[<Fact>]
let ``user info in base_url is refused and shown only by its prefix`` () =
    let message =
        refusal "my-gateway" (replace "base_url" (text "https://user:hunter2secret@gateway.example/v1") gateway)

    Assert.Contains("base_url 'https:…'", message)
    Assert.DoesNotContain("hunter2", message)

[<Theory>]
[<InlineData("https://res.openai.azure.com/openai?api-key=sk0secret0value0123456789")>]
[<InlineData("https://res.openai.azure.com/openai#sk0secret0value0123456789")>]
let ``a base_url with a query or fragment is refused and shown only by its prefix: a pasted key stays unprinted`` (url: string) =
    let message = refusal "my-gateway" (replace "base_url" (text url) gateway)
    Assert.Contains("base_url 'https:…'", message)
    Assert.DoesNotContain("sk0secret", message)

[<Theory>]
[<InlineData("base_url")>]
[<InlineData("key_env")>]
[<InlineData("models")>]
let ``a missing base_url, key_env or models names what an endpoint needs`` (key: string) =
    let message = refusal "my-gateway" (gateway |> List.filter (fst >> (<>) key))
    Assert.Equal(sprintf "image_gen.endpoints.my-gateway.%s is missing: an endpoint needs base_url, key_env and models" key, message)

[<Theory>]
[<InlineData("api_key")>]
[<InlineData("key")>]
[<InlineData("token")>]
[<InlineData("API_KEY")>]
let ``a key written into config.yaml is refused without showing it`` (field: string) =
    let secret = "sk-live-0123456789abcdefghij"
    let message = refusal "my-gateway" (gateway @ [ field, text secret ])
    Assert.Contains("a key does not belong in config.yaml", message)
    Assert.DoesNotContain(secret, message)

[<Property>]
let ``a key given as key_env is refused and never shown whole`` (seed: PositiveInt) =
    let secret = sprintf "Zx%08dabcdefghijklmnopq" seed.Get
    let message = refusal "my-gateway" (replace "key_env" (text secret) gateway)
    message.Contains "key_env" && not (message.Contains secret)

[<Property>]
let ``no bundled provider name, in any case, can be an endpoint's`` (upper: bool list) =
    Endpoints.reservedNames
    |> List.forall (fun name ->
        let spelled =
            name
            |> String.mapi (fun i c ->
                if List.tryItem i upper = Some true then
                    Char.ToUpperInvariant c
                else
                    c)

        let message = refusal spelled gateway
        message.StartsWith(sprintf "invalid endpoint name '%s'" spelled, StringComparison.Ordinal))

[<Fact>]
let ``an unknown setting and an api_version on an openai endpoint are refused`` () =
    Assert.Equal(
        "image_gen.endpoints.my-gateway.modles is not an endpoint setting; allowed: base_url, key_env, models, kind, api_version, max_images",
        refusal "my-gateway" (gateway @ [ "modles", text "x" ])
    )

    Assert.StartsWith(
        "image_gen.endpoints.my-gateway.api_version '2025-04-01-preview' applies to kind azure only",
        refusal "my-gateway" (gateway @ [ "api_version", text "2025-04-01-preview" ])
    )

[<Fact>]
let ``an azure deployment name may not carry a path`` () =
    Assert.StartsWith(
        "invalid image_gen.endpoints.my-gateway.models 'a/b'",
        refusal "my-gateway" (replace "models" (EndpointValue.Items [ "a/b" ]) azure)
    )

[<Fact>]
let ``parse stops at the first bad endpoint`` () =
    match Endpoints.parse [ section "good" gateway; section "xai" gateway ] with
    | Error message -> Assert.StartsWith("invalid endpoint name 'xai'", message)
    | Ok endpoints -> failwithf "accepted %A" endpoints

    Assert.Equal(Ok [], Endpoints.parse [])

let private modelId =
    Gen.elements ([ 'a' .. 'z' ] @ [ '0' .. '9' ] @ [ '.'; '-'; '_' ])
    |> Gen.nonEmptyListOf
    |> Gen.map (List.truncate 30 >> Array.ofList >> String)

[<Property>]
let ``openai: the model passes through unchanged in the body, the key as Bearer`` () =
    Prop.forAll (Arb.fromGen (Gen.zip modelId (Gen.elements AspectRatio.all))) (fun (model, aspect) ->
        let endpoint = checkedOk gateway
        let body = Endpoints.generationBody endpoint model "p" aspect OutputControls.none

        Endpoints.generationUrl endpoint model = "https://gateway.example/v1/images/generations"
        && Endpoints.editUrl endpoint model = "https://gateway.example/v1/images/edits"
        && body["model"].GetValue<string>() = model
        && body.ToJsonString() = (Requests.openAi (OpenAiModel.PassThrough model) "p" aspect OutputControls.none).ToJsonString()
        && Endpoints.authHeader endpoint "k" = ("Authorization", "Bearer k")
        && List.contains (FormPart.Field("model", model)) (Endpoints.editParts endpoint model "p" aspect 1 false OutputControls.none None))

[<Property>]
let ``azure: the deployment is in the path with the api-version query, the key in api-key, no model in the body`` () =
    Prop.forAll (Arb.fromGen modelId) (fun model ->
        let endpoint = checkedOk azure

        let body =
            Endpoints.generationBody endpoint model "p" AspectRatio.Square { OutputControls.none with Format = Some "png" }

        let parts =
            Endpoints.editParts endpoint model "p" AspectRatio.Square 2 true OutputControls.none (Some "high")

        Endpoints.generationUrl endpoint model = sprintf
            "https://res.openai.azure.com/openai/deployments/%s/images/generations?api-version=%s"
            model
            Endpoints.defaultAzureApiVersion
        && Endpoints.editUrl endpoint model = sprintf
            "https://res.openai.azure.com/openai/deployments/%s/images/edits?api-version=%s"
            model
            Endpoints.defaultAzureApiVersion
        && isNull body["model"]
        && body["output_format"].GetValue<string>() = "png"
        && Endpoints.authHeader endpoint "k" = ("api-key", "k")
        && parts
           |> List.forall (function
               | FormPart.Field(name, _) -> name <> "model"
               | FormPart.File _ -> true)
        && (parts
            |> List.filter (fun p ->
                p = FormPart.File("image[]", FormFile.Source 0)
                || p = FormPart.File("image[]", FormFile.Source 1)))
            .Length = 2
        && List.contains (FormPart.File("mask", FormFile.Mask)) parts)

let private dispatchFacts (endpointReady: bool) =
    let endpoint = Endpoints.catalog (checkedOk gateway)

    {
        FalKey = false
        Gateway = false
        Env = Map.empty
        Providers =
            (Catalog.bundled
             |> List.map (fun c ->
                 {
                     Catalog = c
                     Availability = Availability.Missing "set a key"
                 }))
            @ [
                {
                    Catalog = endpoint
                    Availability =
                        (if endpointReady then
                             Availability.Ready
                         else
                             Availability.Missing "set MY_GATEWAY_KEY")
                }
            ]
        ExplicitOnly = [ endpoint.Provider ]
    }

[<Fact>]
let ``an endpoint runs when named, never as the first ready provider`` () =
    let named =
        { Dispatch.emptySettings with
            Provider = Some "my-gateway"
        }

    Assert.Equal(Decision.Plugin("my-gateway", "flux-pro"), (Dispatch.decide named None (dispatchFacts true)).Decision)

    Assert.Equal(
        Decision.Plugin("my-gateway", "vendor/seedream-4"),
        (Dispatch.decide named (Some "vendor/seedream-4") (dispatchFacts true)).Decision
    )

    let unset =
        (Dispatch.decide Dispatch.emptySettings None (dispatchFacts true)).Decision

    Assert.Equal(Decision.LegacyFal(FalCatalog.defaultModel, FalRoute.Unavailable), unset)

    match Dispatch.readiness (dispatchFacts true) unset with
    | Error(DispatchError.NotAvailable(_, message)) ->
        Assert.StartsWith(Dispatch.noBackendMessage, message)
        Assert.EndsWith("a configured endpoint runs only when named: --provider my-gateway (or image_gen.provider)", message)
    | other -> failwithf "expected the hint to name the endpoint, got %A" other

    Assert.Equal(Error DispatchError.NoBackend, Dispatch.readiness (dispatchFacts false) unset)

    match (Dispatch.decide named (Some "flux-pr") (dispatchFacts true)).Decision with
    | Decision.Error(DispatchError.UnknownModel("my-gateway", bad)) ->
        Assert.Equal<string list>([ "flux-pro"; "vendor/seedream-4" ], bad.Allowed)
    | other -> failwithf "expected an unknown model, got %A" other

    Assert.Equal(
        Error(DispatchError.NotAvailable("my-gateway", "set MY_GATEWAY_KEY")),
        Dispatch.readiness (dispatchFacts false) (Dispatch.decide named None (dispatchFacts false)).Decision
    )
