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

    let private table = all |> List.map (fun t -> id t, t)

    let parse (text: string) : Result<Tier, BadValue> = Validation.parseFrom "model" table text

/// What OpenAI is asked for: a tier of gpt-image-2, or another gpt-image id sent as given, without a quality.
[<RequireQualifiedAccess>]
type OpenAiModel =
    | Tier of Tier
    | PassThrough of id: string

module OpenAiModel =

    /// A tier id is that tier; any other id (the catalog has accepted it) passes through.
    let ofId (id: string) =
        match Tier.parse id with
        | Ok tier -> OpenAiModel.Tier tier
        | Error _ -> OpenAiModel.PassThrough id

    let apiModel =
        function
        | OpenAiModel.Tier _ -> Tier.apiModel
        | OpenAiModel.PassThrough id -> id

    let quality =
        function
        | OpenAiModel.Tier tier -> Some(Tier.quality tier)
        | OpenAiModel.PassThrough _ -> None
