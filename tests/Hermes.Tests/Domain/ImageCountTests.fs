module Hermes.Tests.Domain.ImageCountTests

open System.Text.Json.Nodes
open Xunit
open FsCheck
open FsCheck.FSharp
open FsCheck.Xunit
open Hermes.Domain

let private supports =
    Gen.oneof
        [
            Gen.choose (1, 12) |> Gen.map CountSupport.Native
            Gen.constant CountSupport.OnePerRequest
        ]

[<Property(MaxTest = 300)>]
let ``the requests of a count sum to it, each asks for 1 to the provider's max`` () =
    Prop.forAll (Arb.fromGen (Gen.zip supports (Gen.choose (1, 40)))) (fun (support, count) ->
        let chunks = ImageCount.requests support count

        let most =
            match support with
            | CountSupport.Native limit -> limit
            | CountSupport.OnePerRequest -> 1

        List.sum chunks = count
        && chunks |> List.forall (fun n -> n >= 1 && n <= most)
        // as few requests as the max allows
        && chunks.Length = (count + most - 1) / most)

[<Fact>]
let ``13 on OpenAI is 10 then 3; 4 is one request; Codex and Gemini ask one by one`` () =
    let openAi = ImageCount.forProvider "openai" "gpt-image-2-medium" false
    Assert.Equal<int list>([ 10; 3 ], ImageCount.requests openAi 13)
    Assert.Equal<int list>([ 4 ], ImageCount.requests openAi 4)
    Assert.Equal<int list>([ 1; 1; 1 ], ImageCount.requests (ImageCount.forProvider "openai-codex" "gpt-image-2-medium" false) 3)
    Assert.Equal<int list>([ 1; 1 ], ImageCount.requests (ImageCount.forProvider "gemini" "gemini-3.1-flash-image" false) 2)
    Assert.Equal(CountSupport.Native 10, ImageCount.forProvider "xai" "grok-imagine-image" true)
    Assert.Equal<int list>([], ImageCount.requests openAi 0)

[<Fact>]
let ``FAL counts natively exactly where the endpoint's keys name num_images, up to the model's own max`` () =
    for model in FalCatalog.models do
        for isEdit in [ false; true ] do
            let keys =
                match model.Edit with
                | Some edit when isEdit -> edit.Supports
                | _ -> model.Supports

            let expected =
                if List.contains "num_images" keys then
                    CountSupport.Native model.MaxImages
                else
                    CountSupport.OnePerRequest

            Assert.Equal(expected, ImageCount.forProvider "fal" model.Info.Id isEdit)

    Assert.Equal(CountSupport.Native 6, ImageCount.forProvider "fal" "bytedance/seedream/v5/pro/text-to-image" false)
    Assert.Equal(CountSupport.Native 4, ImageCount.forProvider "fal" "fal-ai/nano-banana-2" false)
    // FLUX 2 Klein takes no num_images: one request an image
    Assert.Equal(CountSupport.OnePerRequest, ImageCount.forProvider "fal" "fal-ai/flux-2/klein/9b" false)

let private images n = { OutputControls.none with Images = n }

[<Fact>]
let ``the builders carry the images of one request: n for OpenAI and xAI, num_images for FAL`` () =
    let openAi =
        Requests.openAi (OpenAiModel.ofId "gpt-image-2-medium") "p" AspectRatio.Square (images 4)

    Assert.Equal(4, openAi["n"].GetValue<int>())

    let form =
        EditRequests.openAi (OpenAiModel.ofId "gpt-image-2-medium") "p" AspectRatio.Square 1 false (images 3) None

    Assert.Contains(FormPart.Field("n", "3"), form)

    let xai =
        Requests.xai "grok-imagine-image" "p" AspectRatio.Square Resolution.defaultValue None (images 7)

    Assert.Equal(7, xai["n"].GetValue<int>())
    // one image is the default: the body stays as it was
    let single =
        Requests.xai "grok-imagine-image" "p" AspectRatio.Square Resolution.defaultValue None (images 1)

    Assert.Null(single["n"])

    let edit =
        EditRequests.xai "grok-imagine-image" "p" (images 2) [ "https://x/a.png" ]

    Assert.Equal(2, edit["n"].GetValue<int>())

    let nano = FalCatalog.tryModel "fal-ai/nano-banana-2" |> Option.get

    let fal =
        FalPayload.build nano "p" AspectRatio.Square (FalPayload.ofControls (images 3))

    Assert.Equal(3, fal["num_images"].GetValue<int>())

    let one =
        FalPayload.build nano "p" AspectRatio.Square (FalPayload.ofControls (images 1))

    Assert.Equal(1, one["num_images"].GetValue<int>())
