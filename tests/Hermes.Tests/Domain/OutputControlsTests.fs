module Hermes.Tests.Domain.OutputControlsTests

open System
open System.Text.Json.Nodes
open Xunit
open FsCheck
open FsCheck.FSharp
open FsCheck.Xunit
open Hermes.Domain

let asked = OutputControls.nothingAsked
let providers = [ "openai"; "openai-codex"; "xai"; "gemini"; "fal" ]

/// The model each provider is checked with; the FAL one takes image_size, seed, output_format and num_images.
let modelOf =
    function
    | "openai" -> "gpt-image-2-medium"
    | "openai-codex" -> "gpt-image-2-medium"
    | "xai" -> "grok-imagine-image"
    | "gemini" -> "gemini-3.1-flash-image"
    | _ -> "fal-ai/flux-2/klein/9b"

let check provider request =
    OutputControls.forProvider provider (modelOf provider) false request

let errorOf =
    function
    | Error(message: string) -> message
    | Ok controls -> failwithf "expected an error, got %A" controls

let okOf =
    function
    | Ok(controls: OutputControls) -> controls
    | Error message -> failwithf "expected controls, got %s" message

let private oneOf (items: 'T list) = Arb.fromGen (Gen.elements items)

[<Fact>]
let ``nothing asked is no control on every provider`` () =
    for provider in providers do
        Assert.Equal(OutputControls.none, okOf (check provider asked))

[<Property(MaxTest = 50)>]
let ``the harmless defaults (auto) are taken everywhere`` () =
    Prop.forAll (oneOf providers) (fun provider ->
        let controls =
            okOf (
                check
                    provider
                    { asked with
                        Size = Some "auto"
                        Quality = Some "auto"
                        Background = Some "auto"
                        Moderation = Some "auto"
                    }
            )

        controls.Dimensions.IsNone && controls.AspectRatio.IsNone)

[<Property(MaxTest = 100)>]
let ``an unknown word for a control names the value and every allowed one`` (word: NonEmptyString) =
    let word = word.Get.Trim()

    let cases =
        [
            "quality", OutputControls.qualities, { asked with Quality = Some word }
            "output format", OutputControls.formats @ [ "jpg" ], { asked with Format = Some word }
            "background", OutputControls.backgrounds, { asked with Background = Some word }
            "moderation", OutputControls.moderations, { asked with Moderation = Some word }
        ]

    cases
    |> List.forall (fun (field, allowed, request) ->
        List.contains (word.ToLowerInvariant()) allowed
        || word = ""
        || (let message = errorOf (check "openai" request)

            message.StartsWith(sprintf "invalid %s '" field)
            && (allowed |> List.filter ((<>) "jpg") |> List.forall message.Contains)))

[<Property(MaxTest = 100)>]
let ``compression is 0 to 100 and needs jpeg or webp`` (compression: int) (format: bool) =
    let chosen = if format then "jpeg" else "webp"

    let withFormat =
        check
            "openai"
            { asked with
                Compression = Some compression
                Format = Some chosen
            }

    let withoutFormat = check "openai" { asked with Compression = Some compression }

    let withPng =
        check
            "openai"
            { asked with
                Compression = Some compression
                Format = Some "png"
            }

    if compression < 0 || compression > 100 then
        (errorOf withFormat).Contains "allowed values are 0 to 100"
    else
        (okOf withFormat).Compression = Some compression
        && (errorOf withoutFormat).Contains "needs output format jpeg or webp"
        && (errorOf withPng).Contains "needs output format jpeg or webp"

[<Fact>]
let ``a transparent background needs png or webp`` () =
    let transparent format =
        check
            "openai-codex"
            { asked with
                Background = Some "transparent"
                Format = format
            }

    Assert.Equal(
        "background 'transparent' needs output format png or webp (output format is jpeg)",
        errorOf (transparent (Some "jpeg"))
    )

    for format in [ None; Some "png"; Some "webp" ] do
        Assert.Equal(Some "transparent", (okOf (transparent format)).Background)

[<Property(MaxTest = 200)>]
let ``the OpenAI size is exactly what the eight gpt-image-2 rules accept`` (w: PositiveInt) (h: PositiveInt) =
    let size = sprintf "%dx%d" (w.Get % 5000) (h.Get % 5000)

    [ "openai"; "openai-codex" ]
    |> List.forall (fun provider ->
        match OpenAiSize.validate size, check provider { asked with Size = Some size } with
        | Ok valid, Ok controls -> controls.OpenAiSize = Some(OpenAiSize.toWire valid)
        | Error rule, Error message -> rule = message
        | _ -> false)

[<Property(MaxTest = 50)>]
let ``OpenAI and Codex take no ratio and no seed, and say who does`` (seed: NonNegativeInt) =
    [ "openai"; "openai-codex" ]
    |> List.forall (fun provider ->
        let ratio = errorOf (check provider { asked with Ratio = Some "4:3" })
        let seeded = errorOf (check provider { asked with Seed = Some seed.Get })

        ratio.StartsWith(sprintf "aspect ratio '4:3' is not taken by %s; it is taken by xai, gemini" provider)
        && seeded.StartsWith(sprintf "seed '%d' is not taken by %s; it is taken by fal" seed.Get provider))

[<Property(MaxTest = 50)>]
let ``the OpenAI-only controls are refused by xai and gemini, naming openai and openai-codex`` () =
    let requests =
        [
            { asked with Quality = Some "high" }
            { asked with Format = Some "webp" }
            { asked with
                Format = Some "jpeg"
                Compression = Some 50
            }
            { asked with Background = Some "opaque" }
            { asked with Moderation = Some "low" }
        ]

    Prop.forAll (Arb.fromGen (Gen.zip (Gen.elements [ "xai"; "gemini" ]) (Gen.elements requests))) (fun (provider, request) ->
        let message = errorOf (check provider request)
        message.Contains(sprintf "is not taken by %s" provider) && message.Contains "openai and openai-codex")

[<Fact>]
let ``xai names its quality model when quality is asked`` () =
    Assert.Equal(
        "quality 'high' is not taken by xai; it is taken by openai and openai-codex (on xai choose the model grok-imagine-image-quality)",
        errorOf (check "xai" { asked with Quality = Some "high" })
    )

let private sizes =
    Gen.zip (Gen.choose (1, 8000)) (Gen.choose (1, 8000)) |> Arb.fromGen

let private distance (ratio: string) (w: int) (h: int) =
    abs (log (OutputControls.ratioValue ratio |> Option.get) - log (float w / float h))

[<Property(MaxTest = 300)>]
let ``xai maps an exact size to its nearest supported ratio and resolution, and reports the size asked for`` () =
    Prop.forAll sizes (fun (w, h) ->
        let controls = okOf (check "xai" { asked with Size = Some(sprintf "%dx%d" w h) })
        let ratio = controls.AspectRatio.Value
        let ratios = OutputControls.xaiRatios |> List.filter ((<>) "auto")

        List.contains ratio ratios
        && ratios |> List.forall (fun other -> distance ratio w h <= distance other w h)
        && controls.Resolution = Some(if max w h > 1536 then Resolution.TwoK else Resolution.OneK)
        && controls.Extras = [ "requested_size", sprintf "%dx%d" w h ])

[<Property(MaxTest = 300)>]
let ``gemini maps an exact size to its nearest ratio and 1K, 2K or 4K; the lite model makes 1K only`` () =
    Prop.forAll sizes (fun (w, h) ->
        let request = { asked with Size = Some(sprintf "%dx%d" w h) }
        let controls = okOf (check "gemini" request)

        let lite =
            okOf (OutputControls.forProvider "gemini" "gemini-3.1-flash-lite-image" false request)

        let edge = max w h

        List.contains controls.AspectRatio.Value OutputControls.geminiRatios
        && OutputControls.geminiRatios
           |> List.forall (fun other -> distance controls.AspectRatio.Value w h <= distance other w h)
        && controls.GeminiImageSize = Some(if edge <= 1536 then "1K" elif edge <= 3072 then "2K" else "4K")
        && lite.GeminiImageSize = Some "1K")

[<Fact>]
let ``xai takes exactly its ratio list; gemini its own`` () =
    for ratio in OutputControls.xaiRatios do
        Assert.Equal(Some ratio, (okOf (check "xai" { asked with Ratio = Some ratio })).AspectRatio)

    for ratio in OutputControls.geminiRatios do
        Assert.Equal(Some ratio, (okOf (check "gemini" { asked with Ratio = Some ratio })).AspectRatio)

    Assert.StartsWith("invalid aspect ratio '5:4' for xai: allowed values are 1:1, 16:9", errorOf (check "xai" { asked with Ratio = Some "5:4" }))
    Assert.StartsWith("invalid aspect ratio '2:1' for gemini: allowed values are 1:1", errorOf (check "gemini" { asked with Ratio = Some "2:1" }))

[<Fact>]
let ``an xai edit takes no size and no ratio`` () =
    let edit request =
        OutputControls.forProvider "xai" "grok-imagine-image" true request

    Assert.Equal("size '1024x1024' is not taken by xai edits; it is taken by xai text-to-image", errorOf (edit { asked with Size = Some "1024x1024" }))
    Assert.Equal("aspect ratio '4:3' is not taken by xai edits; it is taken by xai text-to-image", errorOf (edit { asked with Ratio = Some "4:3" }))

[<Property(MaxTest = 100)>]
let ``a size that is not auto or WxH is refused by the mapping providers, naming the value`` (text: NonEmptyString) =
    let text = text.Get

    (OutputControls.dimensions text).IsSome
    || text.Trim().ToLowerInvariant() = "auto"
    || [ "xai"; "gemini"; "fal" ]
       |> List.forall (fun provider ->
           (errorOf (check provider { asked with Size = Some text })).StartsWith "invalid size '")

/// A FAL control reaches the payload only where the model's accepted keys name it.
[<Property(MaxTest = 200)>]
let ``FAL takes a seed, a format and a quality exactly where the model's keys name them`` () =
    let models = FalCatalog.catalog.Models |> List.map _.Id

    Prop.forAll (Arb.fromGen (Gen.zip (Gen.elements models) (Gen.choose (0, 1_000_000)))) (fun (id, seed) ->
        let model = FalCatalog.tryModel id |> Option.get
        let supports key = List.contains key model.Supports

        let verdict request key =
            match OutputControls.forProvider "fal" id false request with
            | Ok _ -> supports key
            | Error message -> not (supports key) && message.Contains(sprintf "is not taken by fal model %s" id)

        verdict { asked with Seed = Some seed } "seed"
        && verdict { asked with Format = Some "webp" } "output_format"
        && verdict { asked with Quality = Some "high" } "quality")

[<Fact>]
let ``FAL sends an exact size as image_size where the model takes one, the nearest ratio where it takes aspect_ratio`` () =
    let size = { asked with Size = Some "1200x800" }
    Assert.Equal(Some(1200, 800), (okOf (check "fal" size)).Dimensions)

    let banana =
        okOf (OutputControls.forProvider "fal" "fal-ai/nano-banana-pro" false size)

    Assert.Equal(Some "3:2", banana.AspectRatio)
    Assert.Equal<(string * string) list>([ "requested_size", "1200x800" ], banana.Extras)

    Assert.Equal(
        "aspect ratio '4:3' is not taken by fal model fal-ai/flux-2/klein/9b; it is taken by xai, gemini and fal models with an aspect_ratio field",
        errorOf (check "fal" { asked with Ratio = Some "4:3" })
    )

[<Property(MaxTest = 100)>]
let ``an aspect is a named one or a ratio W:H that stands for its nearest named aspect`` (w: PositiveInt) (h: PositiveInt) =
    let text = sprintf "%d:%d" w.Get h.Get

    OutputControls.parseAspect text = Ok(OutputControls.namedAspect (float w.Get / float h.Get), Some text)
    && AspectRatio.all
       |> List.forall (fun a -> OutputControls.parseAspect (AspectRatio.toWire a) = Ok(a, None))
    && (match OutputControls.parseAspect "wide" with
        | Error message -> message.Contains "'wide'" && message.Contains "a ratio W:H"
        | Ok _ -> false)

// ---------------------------------------------------------------- builders

let private full =
    { OutputControls.none with
        OpenAiSize = Some "2048x1152"
        Quality = Some "high"
        Format = Some "webp"
        Compression = Some 80
        Background = Some "opaque"
        Moderation = Some "low"
    }

let private controlsGen =
    gen {
        let! size = Gen.elements [ None; Some "auto"; Some "2048x1152" ]
        let! quality = Gen.elements [ None; Some "low"; Some "high"; Some "auto" ]
        let! format = Gen.elements [ None; Some "png"; Some "jpeg"; Some "webp" ]
        let! compression = Gen.elements [ None; Some 0; Some 100 ]
        let! background = Gen.elements [ None; Some "opaque"; Some "auto" ]
        let! moderation = Gen.elements [ None; Some "low" ]

        return
            { OutputControls.none with
                OpenAiSize = size
                Quality = quality
                Format = format
                Compression = compression
                Background = background
                Moderation = moderation
            }
    }

let private text (node: JsonNode) (key: string) =
    match node[key] with
    | null -> None
    | value -> Some(value.ToString())

[<Property(MaxTest = 100)>]
let ``the OpenAI body carries each control asked for, the tier's otherwise, and never response_format`` () =
    Prop.forAll (Arb.fromGen (Gen.zip controlsGen (Gen.elements Tier.all))) (fun (controls, tier) ->
        let body = Requests.openAi (OpenAiModel.Tier tier) "p" AspectRatio.Portrait controls

        text body "size" = Some(controls.OpenAiSize |> Option.defaultValue "1024x1536")
        && text body "quality" = Some(controls.Quality |> Option.defaultValue (Tier.quality tier))
        && text body "output_format" = controls.Format
        && text body "output_compression" = (controls.Compression |> Option.map string)
        && text body "background" = controls.Background
        && text body "moderation" = controls.Moderation
        && (controls.Compression |> Option.forall (fun _ -> body["output_compression"].GetValue<int>() >= 0))
        && not (body.ContainsKey "response_format"))

[<Property(MaxTest = 100)>]
let ``the OpenAI edit form carries the same controls as text fields`` () =
    Prop.forAll (Arb.fromGen controlsGen) (fun controls ->
        let fields =
            EditRequests.openAi (OpenAiModel.Tier Tier.Low) "p" AspectRatio.Square 1 false controls None
            |> List.choose (function
                | FormPart.Field(name, value) -> Some(name, value)
                | FormPart.File _ -> None)

        let body = Requests.openAi (OpenAiModel.Tier Tier.Low) "p" AspectRatio.Square controls

        let expected =
            [ "model"; "prompt"; "size"; "n"; "quality"; "output_format"; "output_compression"; "background"; "moderation" ]
            |> List.choose (fun key -> text body key |> Option.map (fun v -> key, v))

        List.sort fields = List.sort expected && not (fields |> List.exists (fst >> (=) "response_format")))

[<Property(MaxTest = 100)>]
let ``the Codex tool carries the controls, png and opaque by default, partial_images 0 and no tool_choice`` () =
    Prop.forAll (Arb.fromGen controlsGen) (fun controls ->
        let body = Requests.codex Tier.Medium "p" AspectRatio.Landscape controls
        let tool = body["tools"].[0]

        text tool "size" = Some(controls.OpenAiSize |> Option.defaultValue "1536x1024")
        && text tool "quality" = Some(controls.Quality |> Option.defaultValue "medium")
        && text tool "output_format" = Some(controls.Format |> Option.defaultValue "png")
        && text tool "output_compression" = (controls.Compression |> Option.map string)
        && text tool "background" = Some(controls.Background |> Option.defaultValue "opaque")
        && text tool "moderation" = controls.Moderation
        && text tool "partial_images" = Some "0"
        && not (body.ContainsKey "tool_choice"))

[<Fact>]
let ``a Codex edit keeps the controls on the tool`` () =
    let body =
        EditRequests.codex Tier.Low "p" AspectRatio.Square full [ "https://x/a.png" ] None

    let tool = body["tools"].[0]
    Assert.Equal(Some "2048x1152", text tool "size")
    Assert.Equal(Some "high", text tool "quality")
    Assert.Equal(Some "webp", text tool "output_format")
    Assert.Equal(Some "80", text tool "output_compression")
    Assert.Equal(Some "low", text tool "moderation")

[<Property(MaxTest = 100)>]
let ``the xai body sends the exact ratio asked for, else the named aspect's`` () =
    Prop.forAll (Arb.fromGen (Gen.zip (Gen.elements AspectRatio.all) (Gen.elements (None :: (OutputControls.xaiRatios |> List.map Some))))) (fun (aspect, ratio) ->
        let body =
            Requests.xai "grok-imagine-image" "p" aspect Resolution.TwoK None { OutputControls.none with AspectRatio = ratio }

        text body "aspect_ratio" = Some(ratio |> Option.defaultValue (AspectRatio.xaiAspect aspect))
        && text body "resolution" = Some "2k")

[<Property(MaxTest = 100)>]
let ``the Gemini imageConfig sends the ratio and imageSize asked for, and the seed in generationConfig`` () =
    let gen' =
        Gen.zip3 (Gen.elements (None :: (OutputControls.geminiRatios |> List.map Some))) (Gen.elements [ None; Some "1K"; Some "4K" ]) (Gen.elements [ None; Some 7; Some 123456 ])

    Prop.forAll (Arb.fromGen gen') (fun (ratio, size, seed) ->
        let controls =
            { OutputControls.none with
                AspectRatio = ratio
                GeminiImageSize = size
                Seed = seed
            }

        let body = GeminiRequests.body "gemini-3.1-flash-image" "p" AspectRatio.Square controls []
        let config = body["generationConfig"]

        text config["imageConfig"] "aspectRatio" = Some(ratio |> Option.defaultValue "1:1")
        && text config["imageConfig"] "imageSize" = Some(size |> Option.defaultValue "2K")
        && text config "seed" = (seed |> Option.map string))

[<Property(MaxTest = 100)>]
let ``the FAL payload takes image_size, output_format, seed and quality only where the model accepts them`` () =
    let models = FalCatalog.catalog.Models |> List.map _.Id

    Prop.forAll (Arb.fromGen (Gen.elements models)) (fun id ->
        let model = FalCatalog.tryModel id |> Option.get

        let controls =
            { OutputControls.none with
                Dimensions = Some(1200, 800)
                AspectRatio = Some "3:2"
                Format = Some "webp"
                Seed = Some 42
                Quality = Some "high"
            }

        let body = FalPayload.build model "p" AspectRatio.Landscape (FalPayload.ofControls controls)
        let supports key = List.contains key model.Supports

        let sizeOk =
            match model.Size with
            | FalSize.Preset _
            | FalSize.Dimensions _ when supports "image_size" ->
                body["image_size"].ToJsonString() = """{"width":1200,"height":800}"""
            | FalSize.AspectRatioField when supports "aspect_ratio" -> text body "aspect_ratio" = Some "3:2"
            | _ -> true

        sizeOk
        && (text body "output_format" = (if supports "output_format" then Some "webp" else None))
        && (text body "seed" = (if supports "seed" then Some "42" else None))
        && (text body "quality" = (if supports "quality" then Some "high" else None)))
