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

/// `size`: xAI's resolution (1k or 2k, as `hermes generate --resolution`, which the other providers ignore) or the
/// output control `auto` or `WxH` (as `--size`, which the chosen provider then checks); (resolution, size).
let size (given: string option) : Result<string option * string option, string> =
    match given |> Option.bind Validation.nonBlank with
    | None -> Ok(None, None)
    | Some text ->
        match OutputControls.sizeOrResolution text with
        | Ok(SizeOrResolution.Resolution resolution) -> Ok(Some(Resolution.toWire resolution), None)
        | Ok(SizeOrResolution.Size exact) -> Ok(None, Some exact)
        | Error message -> Error message

/// What `quality` and `size` take for a model of a provider (`controlsAs`: the bundled provider whose controls it
/// takes), as OutputControls.forProvider, the CLI's own check, answers: (qualities, sizes).
let takes (controlsAs: string) (model: string) : string list * string list =
    let accepts (request: OutputRequest) =
        OutputControls.forProvider controlsAs model false request |> Result.isOk

    let qualities =
        if accepts { OutputControls.nothingAsked with Quality = Some "high" } then
            OutputControls.qualities
        else
            []

    let resolutions =
        if controlsAs = "xai" then
            Resolution.all |> List.map Resolution.toWire
        else
            []

    let exact =
        if accepts { OutputControls.nothingAsked with Size = Some "1024x1024" } then
            [ "auto"; "WxH" ]
        else
            []

    qualities, resolutions @ exact

/// What a progress notification says for a step of the generation.
let progressMessage (step: GenerationProgress) : string =
    let detail = if isNull step.Detail then "" else step.Detail.Trim()

    match step.Stage with
    | "partial" when detail <> "" -> detail
    | stage when detail = "" -> stage
    | stage -> stage + ": " + detail
