module Hermes.Tests.Domain.ValidationTests

open Xunit
open FsCheck.Xunit
open FsCheck
open FsCheck.FSharp
open Hermes.Domain

[<Fact>]
let ``aspect ratios parse case-insensitively and round-trip`` () =
    for aspect in AspectRatio.all do
        Assert.Equal(Ok aspect, AspectRatio.parse (AspectRatio.toWire aspect))
        Assert.Equal(Ok aspect, AspectRatio.parse ((AspectRatio.toWire aspect).ToUpperInvariant()))

[<Fact>]
let ``a bad aspect ratio names the value and the allowed set`` () =
    match AspectRatio.parse "widescreen" with
    | Error bad -> Assert.Equal("invalid aspect ratio 'widescreen': allowed values are landscape, square, portrait", bad.Message)
    | Ok _ -> failwith "accepted widescreen"

[<Property>]
let ``aspect parse is total and only accepts the three names`` (text: string) =
    match AspectRatio.parse text with
    | Ok a -> AspectRatio.toWire a = text.Trim().ToLowerInvariant()
    | Error bad ->
        bad.Value = (if isNull text then "" else text)
        && bad.Allowed = [ "landscape"; "square"; "portrait" ]

[<Fact>]
let ``size tables match providers.md`` () =
    Assert.Equal<string list>([ "1536x1024"; "1024x1024"; "1024x1536" ], AspectRatio.all |> List.map AspectRatio.openAiSize)
    Assert.Equal<string list>([ "16:9"; "1:1"; "9:16" ], AspectRatio.all |> List.map AspectRatio.xaiAspect)

[<Fact>]
let ``resolution is the literal 1k or 2k`` () =
    Assert.Equal(Ok Resolution.OneK, Resolution.parse "1k")
    Assert.Equal(Ok Resolution.TwoK, Resolution.parse "2k")
    Assert.Equal<string list>([ "1k"; "2k" ], Resolution.all |> List.map Resolution.toWire)

    match Resolution.parse "1024" with
    | Error bad -> Assert.Equal("invalid resolution '1024': allowed values are 1k, 2k", bad.Message)
    | Ok _ -> failwith "accepted a number"

[<Property>]
let ``invalid configured resolution falls back to 1k with a note naming it`` (text: string) =
    let resolution, note = Resolution.fromConfig (Some text)

    match Validation.nonBlank text with
    | Some "1k" -> resolution = Resolution.OneK && note.IsNone
    | Some "2k" -> resolution = Resolution.TwoK && note.IsNone
    | None -> resolution = Resolution.OneK && note.IsNone
    | Some given ->
        resolution = Resolution.OneK
        && note = Some
            {
                Field = "image_gen.xai.resolution"
                Given = given
                Used = "1k"
                Allowed = [ "1k"; "2k" ]
            }

[<Fact>]
let ``tiers map to gpt-image-2 with their quality`` () =
    let table = Tier.all |> List.map (fun t -> Tier.id t, Tier.apiModel, Tier.quality t)

    Assert.Equal<(string * string * string) list>(
        [
            "gpt-image-2-low", "gpt-image-2", "low"
            "gpt-image-2-medium", "gpt-image-2", "medium"
            "gpt-image-2-high", "gpt-image-2", "high"
        ],
        table
    )

[<Fact>]
let ``every catalog has its default model and unique ids`` () =
    for catalog in Catalog.bundled do
        let ids = Catalog.modelIds catalog
        Assert.Contains(catalog.DefaultModel, ids)
        Assert.Equal(ids.Length, (List.distinct ids).Length)

    Assert.Equal(21, FalCatalog.models.Length)
    Assert.Equal("fal-ai/flux-2/klein/9b", FalCatalog.catalog.DefaultModel)
    Assert.Equal<string list>([ "gpt-image-2-low"; "gpt-image-2-medium"; "gpt-image-2-high" ], Catalog.modelIds Catalog.openAi)
    Assert.Equal<string list>(Catalog.modelIds Catalog.openAi, Catalog.modelIds Catalog.openAiCodex)

    Assert.Equal<string list>(
        [ "grok-imagine-image"; "grok-imagine-image-quality"; "grok-imagine-image-2.0" ],
        Catalog.modelIds Catalog.xai
    )

[<Fact>]
let ``only OpenAI and Gemini pass uncurated ids through, and only gpt-image and gemini ones`` () =
    Assert.Equal<(string * string option) list>(
        [ "fal", None; "xai", None; "openai", Some "gpt-image-"; "openai-codex", None; "gemini", Some "gemini-" ],
        Catalog.bundled |> List.map (fun c -> c.Provider, c.PassThroughPrefix)
    )
