namespace Hermes.Domain

/// The bundled providers' catalogs, and what a catalog accepts as a model id.
module Catalog =

    let private tierModels =
        [
            ModelInfo.create (Tier.id Tier.Low) "GPT Image 2 (Low)" "~15s" "Fast iteration, lowest cost"
            ModelInfo.create (Tier.id Tier.Medium) "GPT Image 2 (Medium)" "~40s" "Balanced quality and time (default)"
            ModelInfo.create (Tier.id Tier.High) "GPT Image 2 (High)" "~2min" "Highest fidelity, strongest prompt adherence"
        ]

    let xai =
        {
            Provider = "xai"
            DisplayName = "xAI Grok Imagine"
            Models =
                [
                    ModelInfo.create "grok-imagine-image" "Grok Imagine Image" "~5-10s" "Fast, high-quality text-to-image"
                ]
            DefaultModel = "grok-imagine-image"
            ModelEnvVar = Some "XAI_IMAGE_MODEL"
            PassThroughPrefix = None
        }

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

    /// Every bundled provider's catalog, in registration order.
    let bundled = [ FalCatalog.catalog; xai; openAi; openAiCodex ]

    let modelIds (catalog: ProviderCatalog) = catalog.Models |> List.map _.Id

    // A passed-through id also names a cache file, so it keeps to the characters model ids use.
    let private modelIdChar (c: char) =
        System.Char.IsAsciiLetterOrDigit c || c = '.' || c = '-' || c = '_'

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
