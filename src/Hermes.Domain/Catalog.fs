namespace Hermes.Domain

/// The bundled providers' catalogs, and what a catalog accepts as a model id.
module Catalog =

    let private tierModels =
        [
            ModelInfo.create (Tier.id Tier.Low) "GPT Image 2 (Low)" "~15s" "Fast iteration, lowest cost"
            ModelInfo.create (Tier.id Tier.Medium) "GPT Image 2 (Medium)" "~40s" "Balanced quality and time (default)"
            ModelInfo.create (Tier.id Tier.High) "GPT Image 2 (High)" "~2min" "Highest fidelity, strongest prompt adherence"
        ]

    // A passed-through id also names a cache file, so it keeps to the characters model ids use.
    let private modelIdChar (c: char) =
        System.Char.IsAsciiLetterOrDigit c || c = '.' || c = '-' || c = '_'

    let private isModelId (id: string) =
        not (isNull id)
        && id.Length > 0
        && id.Length <= 100
        && Seq.forall modelIdChar id

    /// The curated xAI models, described; their order is XaiModels.staticIds.
    let private xaiCurated =
        [
            ModelInfo.create XaiModels.defaultModel "Grok Imagine Image" "~5-10s" "Fast, high-quality"
            ModelInfo.create
                XaiModels.qualityModel
                "Grok Imagine Image (Quality)"
                "~10-20s"
                "Higher fidelity / detail; slower than the standard model."
            ModelInfo.create
                "grok-imagine-image-2.0"
                "Grok Imagine Image 2.0"
                "~10-20s"
                "Typography/layout-aware; legible small text; strongest quality."
        ]

    /// How a live id the curated list does not describe is shown.
    let xaiLiveModel (id: string) =
        ModelInfo.create id id "" "New xAI Imagine model (from live xAI catalog)"

    /// The xAI catalog with the live ids merged in (curated first); live ids that are not plain model ids are dropped.
    let xaiWith (liveIds: string list) =
        let describe id =
            xaiCurated
            |> List.tryFind (fun m -> m.Id = id)
            |> Option.defaultWith (fun () -> xaiLiveModel id)

        {
            Provider = "xai"
            DisplayName = "xAI Grok Imagine"
            Models =
                XaiModels.merge XaiModels.staticIds (List.filter isModelId liveIds)
                |> List.map describe
            DefaultModel = XaiModels.defaultModel
            ModelEnvVar = Some "XAI_IMAGE_MODEL"
            PassThroughPrefix = None
        }

    /// The static xAI catalog, used whenever the live list is unknown or failed.
    let xai = xaiWith []

    let openAi =
        {
            Provider = "openai"
            DisplayName = "OpenAI"
            Models = tierModels
            DefaultModel = Tier.id Tier.defaultValue
            ModelEnvVar = Some "OPENAI_IMAGE_MODEL"
            PassThroughPrefix = Some "gpt-image-"
        }

    let openAiCodex =
        {
            Provider = "openai-codex"
            DisplayName = "OpenAI (Codex sign-in)"
            Models = tierModels
            DefaultModel = Tier.id Tier.defaultValue
            ModelEnvVar = Some "OPENAI_IMAGE_MODEL"
            PassThroughPrefix = None
        }

    /// Google's GA image models ("Nano Banana"); the `*-preview` ids were shut down 2026-06-25.
    let gemini =
        {
            Provider = "gemini"
            DisplayName = "Google Gemini"
            Models =
                [
                    ModelInfo.create "gemini-3-pro-image" "Gemini 3 Pro Image" "~20-40s" "Highest fidelity, text rendering, up to 14 references"
                    ModelInfo.create "gemini-3.1-flash-image" "Gemini 3.1 Flash Image" "~5-15s" "Fast, good quality (default)"
                    ModelInfo.create "gemini-3.1-flash-lite-image" "Gemini 3.1 Flash Lite Image" "~3-8s" "Fastest, lowest cost"
                ]
            DefaultModel = "gemini-3.1-flash-image"
            ModelEnvVar = Some "GEMINI_IMAGE_MODEL"
            PassThroughPrefix = Some "gemini-"
        }

    /// Every bundled provider's catalog, in registration order.
    let bundled = [ FalCatalog.catalog; xai; openAi; openAiCodex; gemini ]

    let modelIds (catalog: ProviderCatalog) = catalog.Models |> List.map _.Id

    /// A curated id, or the catalog's pass-through prefix followed by more id characters.
    let accepts (catalog: ProviderCatalog) (id: string) =
        let passesThrough (prefix: string) =
            not (isNull id)
            && id.Length > prefix.Length
            && id.StartsWith(prefix, System.StringComparison.Ordinal)
            && Seq.forall modelIdChar id

        List.contains id (modelIds catalog)
        || catalog.PassThroughPrefix |> Option.exists passesThrough

    /// What an error lists as allowed: the curated ids, then the pass-through pattern.
    let allowed (catalog: ProviderCatalog) =
        modelIds catalog
        @ (catalog.PassThroughPrefix |> Option.map (fun p -> p + "*") |> Option.toList)
