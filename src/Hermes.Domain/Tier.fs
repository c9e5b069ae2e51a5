namespace Hermes.Domain

/// The three gpt-image-2 tiers; each is one API model at a different quality.
[<RequireQualifiedAccess>]
type Tier =
    | Low
    | Medium
    | High

module Tier =

    let all = [ Tier.Low; Tier.Medium; Tier.High ]

    let apiModel = "gpt-image-2"

    let quality =
        function
        | Tier.Low -> "low"
        | Tier.Medium -> "medium"
        | Tier.High -> "high"

    let id tier = apiModel + "-" + quality tier

    let defaultValue = Tier.Medium

    let table = all |> List.map (fun t -> id t, t)

    let parse (text: string) : Result<Tier, BadValue> = Validation.parseFrom "model" table text

    /// An unknown configured tier falls back to medium, with a note.
    let fromConfig (text: string option) =
        Validation.orDefault "model" table (id defaultValue) text
