namespace Hermes.Domain

/// How a FAL model takes the aspect ratio.
[<RequireQualifiedAccess>]
type FalSize =
    /// `image_size` as a preset name (landscape, square, portrait).
    | Preset of landscape: string * square: string * portrait: string
    /// `image_size` as a "WxH" literal.
    | Literal of landscape: string * square: string * portrait: string
    /// `image_size` as a {width, height} object.
    | Dimensions of landscape: (int * int) * square: (int * int) * portrait: (int * int)
    /// `aspect_ratio` as "16:9" / "1:1" / "9:16".
    | AspectRatioField

[<RequireQualifiedAccess>]
type FalParam =
    | Int of int
    | Float of float
    | Text of string
    | Flag of bool
    | Dimensions of width: int * height: int

/// A FAL model's edit endpoint: where sources go, how many it takes, whether it takes a mask, and its accepted keys.
type FalEdit =
    {
        Endpoint: string
        /// Every source counts, the image to edit included.
        MaxSources: int
        Mask: bool
        /// The request keys the edit endpoint accepts besides `prompt`.
        Supports: string list
    }

type FalModel =
    {
        Info: ModelInfo
        Size: FalSize
        Defaults: (string * FalParam) list
        /// The request keys the model accepts besides `prompt`.
        Supports: string list
        /// Whether the result is chained through the Clarity upscaler by default.
        Upscale: bool
        /// The edit endpoint, when the model can edit (ref-fal-dispatch.md §3.4).
        Edit: FalEdit option
        /// The most images one request asks for in `num_images` (FAL's schema range); only where the keys name num_images.
        MaxImages: int
    }

/// FAL's models as data: ids, sizes, defaults and accepted parameters (ref-fal-dispatch.md §3.4).
module FalCatalog =

    let private sixteenNine =
        FalSize.Preset("landscape_16_9", "square_hd", "portrait_16_9")

    let private fourThree = FalSize.Preset("landscape_4_3", "square_hd", "portrait_4_3")

    /// FAL's usual `num_images` range is 1 to 4; a model whose schema allows more says so below.
    let private fourImages = 4

    let private falModel id display speed strengths size defaults supports =
        {
            Info = ModelInfo.create id display speed strengths
            Size = size
            Defaults = defaults
            Supports = supports
            Upscale = false
            Edit = None
            MaxImages = fourImages
        }

    let private steps n = "num_inference_steps", FalParam.Int n
    let private guidance g = "guidance_scale", FalParam.Float g
    let private oneImage = "num_images", FalParam.Int 1
    let private png = "output_format", FalParam.Text "png"
    let private safetyOff = "enable_safety_checker", FalParam.Flag false
    let private tolerance t = "safety_tolerance", FalParam.Text t
    let private text key value = key, FalParam.Text value
    let private flag key value = key, FalParam.Flag value

    let private kreaDefaults = [ text "creativity" "medium" ]

    let private kreaSupports =
        [ "aspect_ratio"; "creativity"; "seed"; "image_style_references" ]

    /// The FAL catalog of the reference (21 models), default first, before edit endpoints are attached.
    let private textModels =
        [
            falModel
                "fal-ai/flux-2/klein/9b"
                "FLUX 2 Klein 9B"
                "<1s"
                "Fastest; good default for drafts"
                sixteenNine
                [ steps 4; png; safetyOff ]
                [
                    "image_size"
                    "num_inference_steps"
                    "seed"
                    "output_format"
                    "enable_safety_checker"
                ]
            { falModel
                  "fal-ai/flux-2-pro"
                  "FLUX 2 Pro"
                  "~6s"
                  "Photoreal detail; upscaled with Clarity"
                  sixteenNine
                  [
                      steps 50
                      guidance 4.5
                      oneImage
                      png
                      safetyOff
                      tolerance "5"
                      flag "sync_mode" true
                  ]
                  [
                      "image_size"
                      "num_inference_steps"
                      "guidance_scale"
                      "num_images"
                      "output_format"
                      "enable_safety_checker"
                      "safety_tolerance"
                      "sync_mode"
                      "seed"
                  ] with
                Upscale = true
            }
            falModel
                "fal-ai/z-image/turbo"
                "Z-Image Turbo"
                "~2s"
                "Quick, crisp renders"
                sixteenNine
                [ steps 8; oneImage; png; safetyOff; flag "enable_prompt_expansion" false ]
                [
                    "image_size"
                    "num_inference_steps"
                    "num_images"
                    "seed"
                    "output_format"
                    "enable_safety_checker"
                    "enable_prompt_expansion"
                ]
            falModel
                "fal-ai/nano-banana-pro"
                "Nano Banana Pro (Gemini 3 Pro Image)"
                "~8s"
                "Strong text rendering and composition"
                FalSize.AspectRatioField
                [ oneImage; png; tolerance "5"; text "resolution" "1K" ]
                [
                    "aspect_ratio"
                    "num_images"
                    "output_format"
                    "safety_tolerance"
                    "seed"
                    "sync_mode"
                    "resolution"
                    "enable_web_search"
                    "limit_generations"
                ]
            falModel
                "fal-ai/nano-banana-2"
                "Nano Banana 2 (Gemini 3.1 Flash Image)"
                "~3s"
                "Fast Gemini image model"
                FalSize.AspectRatioField
                [
                    oneImage
                    png
                    tolerance "4"
                    text "resolution" "1K"
                    flag "limit_generations" true
                ]
                [
                    "aspect_ratio"
                    "num_images"
                    "output_format"
                    "safety_tolerance"
                    "seed"
                    "sync_mode"
                    "system_prompt"
                    "resolution"
                    "enable_web_search"
                    "limit_generations"
                    "thinking_level"
                ]
            falModel
                "fal-ai/gpt-image-1.5"
                "GPT Image 1.5"
                "~15s"
                "OpenAI model through FAL"
                (FalSize.Literal("1536x1024", "1024x1024", "1024x1536"))
                [ text "quality" "medium"; oneImage; png ]
                [
                    "image_size"
                    "quality"
                    "num_images"
                    "output_format"
                    "background"
                    "sync_mode"
                ]
            // 16:9 presets fall below gpt-image-2's minimum pixel count, so it takes 4:3.
            falModel
                "fal-ai/gpt-image-2"
                "GPT Image 2"
                "~20s"
                "OpenAI's newest model through FAL"
                fourThree
                [ text "quality" "medium"; oneImage; png ]
                [ "image_size"; "quality"; "num_images"; "output_format"; "sync_mode" ]
            falModel
                "fal-ai/ideogram/v3"
                "Ideogram V3"
                "~5s"
                "Typography and posters"
                sixteenNine
                [
                    text "rendering_speed" "BALANCED"
                    flag "expand_prompt" true
                    text "style" "AUTO"
                ]
                [ "image_size"; "rendering_speed"; "expand_prompt"; "style"; "seed" ]
            falModel
                "fal-ai/recraft/v4/pro/text-to-image"
                "Recraft V4 Pro"
                "~8s"
                "Design and illustration styles"
                sixteenNine
                [ safetyOff ]
                [ "image_size"; "enable_safety_checker"; "colors"; "background_color" ]
            falModel
                "fal-ai/qwen-image"
                "Qwen Image"
                "~12s"
                "Multilingual text in images"
                sixteenNine
                [ steps 30; guidance 2.5; oneImage; png; text "acceleration" "regular" ]
                [
                    "image_size"
                    "num_inference_steps"
                    "guidance_scale"
                    "num_images"
                    "output_format"
                    "acceleration"
                    "seed"
                    "sync_mode"
                ]
            falModel
                "fal-ai/krea/v2/medium/text-to-image"
                "Krea 2 Medium"
                "~15-25s"
                "Aesthetic, stylised images"
                FalSize.AspectRatioField
                kreaDefaults
                kreaSupports
            falModel
                "fal-ai/krea/v2/large/text-to-image"
                "Krea 2 Large"
                "~25-60s"
                "Krea's highest quality"
                FalSize.AspectRatioField
                kreaDefaults
                kreaSupports
            falModel
                "bytedance/seedream/v5/pro/text-to-image"
                "Seedream 5.0 Pro"
                "~10s"
                "High resolution, rich detail"
                (FalSize.Dimensions((2048, 1152), (1536, 1536), (1152, 2048)))
                [ oneImage; png; safetyOff ]
                [
                    "image_size"
                    "num_images"
                    "output_format"
                    "sync_mode"
                    "enable_safety_checker"
                ]
            falModel
                "bytedance/seedream/v5/lite/text-to-image"
                "Seedream 5.0 Lite"
                "~5s"
                "Seedream at lower cost"
                sixteenNine
                [ oneImage; safetyOff ]
                [
                    "image_size"
                    "num_images"
                    "max_images"
                    "sync_mode"
                    "enable_safety_checker"
                ]
            falModel
                "ideogram/v4/instant"
                "Ideogram V4 (Instant)"
                "<1s"
                "Instant typography drafts"
                sixteenNine
                [ text "expansion_model" "Medium"; png; safetyOff ]
                [
                    "image_size"
                    "expansion_model"
                    "num_images"
                    "seed"
                    "sync_mode"
                    "enable_safety_checker"
                    "output_format"
                ]
            falModel
                "ideogram/v4/fast"
                "Ideogram V4 (Fast)"
                "~1s"
                "Fast typography"
                sixteenNine
                [ text "expansion_model" "Medium"; text "rendering_speed" "BALANCED" ]
                [
                    "image_size"
                    "expansion_model"
                    "rendering_speed"
                    "num_images"
                    "seed"
                    "sync_mode"
                ]
            falModel
                "alibaba/qwen-image-3/text-to-image"
                "Qwen Image 3"
                "~8s"
                "Newest Qwen image model"
                sixteenNine
                [ oneImage; png; flag "enable_prompt_expansion" false; safetyOff ]
                [
                    "negative_prompt"
                    "image_size"
                    "num_images"
                    "seed"
                    "sync_mode"
                    "output_format"
                    "enable_prompt_expansion"
                    "enable_safety_checker"
                ]
            falModel
                "microsoft/mai-image-2.5-pro"
                "MAI Image 2.5 Pro"
                "~10s"
                "Microsoft's image model"
                FalSize.AspectRatioField
                [ oneImage; png ]
                [ "aspect_ratio"; "num_images"; "output_format"; "sync_mode" ]
            falModel
                "google/nano-banana-2-lite"
                "Nano Banana 2 Lite"
                "<2s"
                "Cheapest Gemini image model"
                FalSize.AspectRatioField
                [ oneImage; png; tolerance "5" ]
                [
                    "aspect_ratio"
                    "num_images"
                    "seed"
                    "output_format"
                    "safety_tolerance"
                    "sync_mode"
                    "system_prompt"
                    "limit_generations"
                    "thinking_level"
                ]
            falModel
                "fal-ai/recraft/v4.1/text-to-image"
                "Recraft V4.1"
                "~8s"
                "Recraft's newest styles"
                sixteenNine
                [ safetyOff ]
                [ "image_size"; "enable_safety_checker"; "colors"; "background_color" ]
            falModel
                "xai/grok-imagine-image/v2.0/text-to-image"
                "Grok Imagine Image 2.0"
                "~5s"
                "xAI's model through FAL"
                FalSize.AspectRatioField
                [ oneImage; png; text "resolution" "1k"; text "quality" "medium" ]
                [
                    "aspect_ratio"
                    "num_images"
                    "output_format"
                    "resolution"
                    "quality"
                    "sync_mode"
                ]
        ]

    /// "same" in the reference's table: the text-to-image keys with image_urls in place of image_size.
    let private sameKeys (id: string) =
        textModels
        |> List.find (fun m -> m.Info.Id = id)
        |> _.Supports
        |> List.map (fun key -> if key = "image_size" then "image_urls" else key)

    /// "IU + all": image_urls and every text-to-image key.
    let private allKeys (id: string) =
        "image_urls" :: (textModels |> List.find (fun m -> m.Info.Id = id) |> _.Supports)

    let private edit endpoint maxSources supports =
        {
            Endpoint = endpoint
            MaxSources = maxSources
            Mask = List.contains "mask_image_url" supports
            Supports = supports
        }

    /// Each edit-capable model's edit endpoint, source limit and keys (edits.md, ref-fal-dispatch.md §3.4).
    let editEndpoints =
        [
            "fal-ai/flux-2/klein/9b", edit "fal-ai/flux-2/klein/9b/edit" 9 (sameKeys "fal-ai/flux-2/klein/9b")
            "fal-ai/flux-2-pro", edit "fal-ai/flux-2-pro/edit" 9 (sameKeys "fal-ai/flux-2-pro")
            "fal-ai/nano-banana-pro", edit "fal-ai/nano-banana-pro/edit" 2 (allKeys "fal-ai/nano-banana-pro")
            "fal-ai/nano-banana-2", edit "fal-ai/nano-banana-2/edit" 14 (allKeys "fal-ai/nano-banana-2")
            "fal-ai/gpt-image-1.5",
            edit "fal-ai/gpt-image-1.5/edit" 16 [ "image_urls"; "image_size"; "quality"; "num_images"; "output_format"; "sync_mode" ]
            "fal-ai/gpt-image-2",
            edit
                "openai/gpt-image-2/edit"
                16
                [ "image_urls"; "quality"; "num_images"; "output_format"; "sync_mode"; "mask_image_url" ]
            "fal-ai/ideogram/v3", edit "fal-ai/ideogram/v3/edit" 1 (sameKeys "fal-ai/ideogram/v3")
            "fal-ai/qwen-image", edit "fal-ai/qwen-image-2/pro/edit" 3 (sameKeys "fal-ai/qwen-image")
            "bytedance/seedream/v5/pro/text-to-image",
            edit "bytedance/seedream/v5/pro/edit" 10 (allKeys "bytedance/seedream/v5/pro/text-to-image")
            "alibaba/qwen-image-3/text-to-image",
            edit "alibaba/qwen-image-3/edit" 3 (sameKeys "alibaba/qwen-image-3/text-to-image")
            "google/nano-banana-2-lite",
            edit
                "google/nano-banana-2-lite/edit"
                4
                [
                    "image_urls"
                    "aspect_ratio"
                    "num_images"
                    "seed"
                    "output_format"
                    "safety_tolerance"
                    "sync_mode"
                    "system_prompt"
                ]
            "xai/grok-imagine-image/v2.0/text-to-image",
            edit
                "xai/grok-imagine-image/v2.0/edit"
                3
                [ "image_urls"; "num_images"; "output_format"; "resolution"; "quality"; "sync_mode" ]
        ]

    /// The models whose `num_images` goes up to 6 (Seedream's schema); the others take FAL's usual 4.
    let private sixImages =
        [ "bytedance/seedream/v5/pro/text-to-image"; "bytedance/seedream/v5/lite/text-to-image" ]

    /// The FAL catalog of the reference (21 models), default first, with their edit endpoints.
    let models =
        textModels
        |> List.map (fun m ->
            { m with
                Edit = editEndpoints |> List.tryFind (fun (id, _) -> id = m.Info.Id) |> Option.map snd
                MaxImages = if List.contains m.Info.Id sixImages then 6 else m.MaxImages
            })

    let defaultModel = "fal-ai/flux-2/klein/9b"

    let catalog =
        {
            Provider = "fal"
            DisplayName = "FAL.ai"
            Models = models |> List.map _.Info
            DefaultModel = defaultModel
            ModelEnvVar = Some "FAL_IMAGE_MODEL"
            PassThroughPrefix = None
        }

    let tryModel (id: string) =
        models |> List.tryFind (fun m -> m.Info.Id = id)
