module Hermes.Tests.Domain.RequestTests

open System.Text.Json.Nodes
open System.Text.RegularExpressions
open Microsoft.FSharp.Reflection
open Xunit
open FsCheck.Xunit
open FsCheck
open FsCheck.FSharp
open Hermes.Domain

let keys (o: JsonObject) = o |> Seq.map _.Key |> List.ofSeq

/// A string field of a JSON object.
let field (o: JsonNode) (key: string) = o[key].GetValue<string>()

[<Fact>]
let ``xAI body sends the resolution literal and xAI's aspect`` () =
    let body =
        Requests.xai "grok-imagine-image" "a red fox" AspectRatio.Portrait Resolution.TwoK None OutputControls.none

    Assert.Equal("""{"model":"grok-imagine-image","prompt":"a red fox","aspect_ratio":"9:16","resolution":"2k"}""", body.ToJsonString())

[<Property>]
let ``the OpenAI body is the tier and size table, never response_format`` () =
    Prop.forAll (Arb.fromGen (Gen.zip (Gen.elements Tier.all) (Gen.elements AspectRatio.all))) (fun (tier, aspect) ->
        let body = Requests.openAi (OpenAiModel.Tier tier) "p" aspect OutputControls.none

        keys body = [ "model"; "prompt"; "size"; "n"; "quality" ]
        && field body "model" = "gpt-image-2"
        && field body "quality" = Tier.quality tier
        && field body "size" = AspectRatio.openAiSize aspect
        && not (body.ContainsKey "response_format"))

[<Fact>]
let ``OpenAI output_format is sent only when asked`` () =
    let body =
        Requests.openAi (OpenAiModel.Tier Tier.High) "p" AspectRatio.Square { OutputControls.none with Format = Some "webp" }

    Assert.Equal("webp", field body "output_format")

[<Fact>]
let ``a passed-through OpenAI model is sent as given, without a quality`` () =
    let body =
        Requests.openAi (OpenAiModel.ofId "gpt-image-1.5") "p" AspectRatio.Portrait OutputControls.none

    Assert.Equal("""{"model":"gpt-image-1.5","prompt":"p","size":"1024x1536","n":1}""", body.ToJsonString())

[<Fact>]
let ``an OpenAI tier id is its tier, any other id passes through`` () =
    for tier in Tier.all do
        Assert.Equal(OpenAiModel.Tier tier, OpenAiModel.ofId (Tier.id tier))

    Assert.Equal(OpenAiModel.PassThrough "gpt-image-1", OpenAiModel.ofId "gpt-image-1")
    Assert.Equal(None, OpenAiModel.quality (OpenAiModel.ofId "gpt-image-1"))

[<Fact>]
let ``test_codex_stream_request_shape and test_payload_omits_tool_choice`` () =
    let body = Requests.codex Tier.Low "a cat" AspectRatio.Landscape OutputControls.none
    let tool = (body["tools"].AsArray()[0]).AsObject()
    Assert.Equal("image_generation", field tool "type")
    Assert.Equal("gpt-image-2", field tool "model")
    Assert.Equal("low", field tool "quality")
    Assert.Equal("1536x1024", field tool "size")
    Assert.False(body.ContainsKey "tool_choice")
    Assert.Equal(0, tool["partial_images"].GetValue<int>())
    Assert.True(body["stream"].GetValue<bool>())
    Assert.False(body["store"].GetValue<bool>())
    let message = body["input"].AsArray().[0]
    let content = message["content"].AsArray()
    Assert.Equal("a cat", field (content.[0]) "text")

let falCases =
    Gen.zip (Gen.elements FalCatalog.models) (Gen.elements AspectRatio.all)

[<Property>]
let ``FAL payloads keep the prompt, the model's size form and only accepted keys`` () =
    Prop.forAll (Arb.fromGen falCases) (fun (model, aspect) ->
        let body = FalPayload.build model "  a lighthouse  " aspect FalPayload.noOverrides
        let sizeKey, _ = FalPayload.size model aspect FalPayload.noOverrides

        field body "prompt" = "a lighthouse"
        && body.ContainsKey sizeKey
        && keys body
           |> List.forall (fun k -> k = "prompt" || List.contains k model.Supports))

[<Property>]
let ``FAL overrides win only where the model accepts them`` (seed: int) (steps: PositiveInt) =
    Prop.forAll (Arb.fromGen falCases) (fun (model, aspect) ->
        let overrides =
            { FalPayload.noOverrides with
                Seed = Some seed
                Steps = Some steps.Get
            }

        let body = FalPayload.build model "p" aspect overrides

        (body.ContainsKey "seed" = List.contains "seed" model.Supports)
        && (not (List.contains "seed" model.Supports) || body["seed"].GetValue<int>() = seed)
        && (not (List.contains "num_inference_steps" model.Supports)
            || body["num_inference_steps"].GetValue<int>() = steps.Get))

[<Fact>]
let ``FAL sizes per style`` () =
    let byId id = FalCatalog.tryModel id |> Option.get

    let size id aspect =
        (FalPayload.build (byId id) "p" aspect FalPayload.noOverrides)

    Assert.Equal("landscape_16_9", field (size "fal-ai/flux-2/klein/9b" AspectRatio.Landscape) "image_size")
    Assert.Equal("portrait_4_3", field (size "fal-ai/gpt-image-2" AspectRatio.Portrait) "image_size")
    Assert.Equal("1024x1536", field (size "fal-ai/gpt-image-1.5" AspectRatio.Portrait) "image_size")
    Assert.Equal("9:16", field (size "fal-ai/nano-banana-pro" AspectRatio.Portrait) "aspect_ratio")
    let seedream = size "bytedance/seedream/v5/pro/text-to-image" AspectRatio.Landscape
    Assert.Equal("""{"width":2048,"height":1152}""", seedream["image_size"].ToJsonString())

[<Fact>]
let ``the default FAL payload is the reference's`` () =
    let body =
        FalPayload.build (FalCatalog.tryModel FalCatalog.defaultModel |> Option.get) "fox" AspectRatio.Square FalPayload.noOverrides

    Assert.Equal(
        """{"num_inference_steps":4,"output_format":"png","enable_safety_checker":false,"prompt":"fox","image_size":"square_hd"}""",
        body.ToJsonString()
    )

[<Fact>]
let ``only flux-2-pro chains the upscaler by default, with the Clarity parameters`` () =
    Assert.Equal<string list>([ "fal-ai/flux-2-pro" ], FalCatalog.models |> List.filter _.Upscale |> List.map _.Info.Id)
    let body = FalPayload.upscale "https://fal.media/a.png" "a fox"
    Assert.Equal("masterpiece, best quality, highres, a fox", field body "prompt")
    Assert.Equal(2, body["upscale_factor"].GetValue<int>())
    Assert.Equal(0.35, body["creativity"].GetValue<float>())
    Assert.Equal(0.6, body["resemblance"].GetValue<float>())
    Assert.Equal(18, body["num_inference_steps"].GetValue<int>())

[<Fact>]
let ``provider messages come from error.message, error, detail or the body`` () =
    Assert.Equal(
        "Unknown parameter: 'response_format'.",
        ApiError.providerMessage """{"error":{"message":"Unknown parameter: 'response_format'.","type":"invalid_request_error"}}"""
    )

    Assert.Equal("bad key", ApiError.providerMessage """{"error":"bad key"}""")
    Assert.Equal("field required", ApiError.providerMessage """{"detail":[{"loc":["body"],"msg":"field required"}]}""")
    Assert.Equal("Bad Gateway nginx", ApiError.providerMessage "\nBad Gateway\nnginx")
    Assert.Equal("no message", ApiError.providerMessage "")

[<Fact>]
let ``status codes map to error kinds`` () =
    let table =
        [
            400, "invalid_request"
            401, "auth"
            403, "auth"
            404, "invalid_request"
            422, "invalid_request"
            429, "rate_limited"
            500, "provider_error"
            503, "provider_error"
            504, "timeout"
        ]

    for status, kind in table do
        Assert.Equal(kind, ErrorKind.toWire (ApiError.kindOfStatus status))

[<Fact>]
let ``every error kind's wire name is its case name in snake_case`` () =
    let snake (name: string) =
        Regex.Replace(name, "(?<=[a-z])([A-Z])", "_$1").ToLowerInvariant()

    let wire =
        FSharpType.GetUnionCases typeof<ErrorKind>
        |> Array.map (fun case ->
            let kind = FSharpValue.MakeUnion(case, [||]) :?> ErrorKind
            Assert.Equal(snake case.Name, ErrorKind.toWire kind)
            ErrorKind.toWire kind)
        |> List.ofArray

    Assert.Equal<string list>(
        [
            "invalid_argument"
            "not_available"
            "auth"
            "invalid_request"
            "rate_limited"
            "content_policy"
            "provider_error"
            "invalid_response"
            "no_image"
            "network"
            "timeout"
            "storage"
            "config"
            "provider_not_registered"
            "incomplete_image"
            "cancelled"
        ],
        wire
    )
