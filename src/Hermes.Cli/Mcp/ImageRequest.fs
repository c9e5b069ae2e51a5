/// The rules that turn an agent's generate_image arguments into a library call: lenient where agents invent values
/// (aspect ratio), strict everywhere else, with the CLI's one-line messages.
module Hermes.Cli.Mcp.ImageRequest

open Hermes.Domain
open Hermes
open Hermes.Providers.Core

/// The aspect ratio to ask for, and a note when the agent's value is not one Hermes knows (it becomes landscape).
let aspect (given: string option) : string * string option =
    match given |> Option.bind Validation.nonBlank with
    | None -> AspectRatio.toWire AspectRatio.defaultValue, None
    | Some text ->
        match AspectRatio.parse text with
        | Ok ratio -> AspectRatio.toWire ratio, None
        | Error bad ->
            let used = AspectRatio.toWire AspectRatio.defaultValue

            let fallback =
                {
                    Field = "aspect_ratio"
                    Given = text
                    Used = used
                    Allowed = bad.Allowed
                }

            used, Some fallback.Message

/// `size` is xAI's resolution (1k or 2k); other providers ignore it, as `hermes generate --resolution`.
let size (given: string option) : Result<string option, string> =
    match given |> Option.bind Validation.nonBlank with
    | None -> Ok None
    | Some text ->
        match Resolution.parse text with
        | Ok resolution -> Ok(Some(Resolution.toWire resolution))
        | Error bad -> Error { bad with Field = "size" }.Message

/// The gpt-image-2 tier names `quality` accepts.
let qualities = Tier.all |> List.map Tier.quality

/// The model to ask for: `quality` picks the gpt-image-2 tier of a provider whose catalog has the tiers; a model
/// given as well must be that tier. `catalog` is the catalog of the provider the dispatch chose.
let model (quality: string option) (model: string option) (catalog: ProviderCatalog option) : Result<string option, string> =
    match quality |> Option.bind Validation.nonBlank with
    | None -> Ok model
    | Some text ->
        let table = Tier.all |> List.map (fun t -> Tier.quality t, t)

        match Validation.parseFrom "quality" table (text.ToLowerInvariant()), catalog with
        | Error bad, _ -> Error { bad with Value = text }.Message
        | Ok tier, Some c when not (List.contains (Tier.id tier) (Catalog.modelIds c)) ->
            Error(
                sprintf
                    "quality applies to the gpt-image-2 tiers (openai, openai-codex), not %s: give one of its models instead (see list_models)"
                    c.Provider
            )
        | Ok _, None -> Error "quality applies to the gpt-image-2 tiers (openai, openai-codex): give provider openai or openai-codex"
        | Ok tier, Some _ ->
            match model |> Option.bind Validation.nonBlank with
            | Some given when given <> Tier.id tier -> Error $"quality '{text}' and model '{given}' disagree: give one of them"
            | _ -> Ok(Some(Tier.id tier))

/// What a progress notification says for a step of the generation.
let progressMessage (step: GenerationProgress) : string =
    let detail = if isNull step.Detail then "" else step.Detail.Trim()

    match step.Stage with
    | "partial" when detail <> "" -> detail
    | stage when detail = "" -> stage
    | stage -> stage + ": " + detail
