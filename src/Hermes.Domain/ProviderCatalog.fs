namespace Hermes.Domain

type ModelInfo =
    {
        Id: string
        Display: string
        Speed: string
        Strengths: string
    }

/// A provider's models as data; the first model named DefaultModel is the default.
type ProviderCatalog =
    {
        Provider: string
        DisplayName: string
        /// The curated models, the ones `hermes models` lists.
        Models: ModelInfo list
        DefaultModel: string
        /// The environment variable that picks a model for scripts, when the provider has one.
        ModelEnvVar: string option
        /// Ids with this prefix are accepted and sent as given besides the curated ones (new models ship faster than catalogs).
        PassThroughPrefix: string option
    }

module ModelInfo =

    let create id display speed strengths =
        {
            Id = id
            Display = display
            Speed = speed
            Strengths = strengths
        }
