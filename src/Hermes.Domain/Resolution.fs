namespace Hermes.Domain

/// xAI image resolution; the API takes the literal string, numbers answer HTTP 422.
[<RequireQualifiedAccess>]
type Resolution =
    | OneK
    | TwoK

module Resolution =

    let all = [ Resolution.OneK; Resolution.TwoK ]

    let toWire =
        function
        | Resolution.OneK -> "1k"
        | Resolution.TwoK -> "2k"

    let defaultValue = Resolution.OneK

    let private table = all |> List.map (fun r -> toWire r, r)

    let parse (text: string) : Result<Resolution, BadValue> =
        Validation.parseFrom "resolution" table text

    /// image_gen.xai.resolution: invalid or missing falls back to 1k, with a note when it was invalid.
    let fromConfig (text: string option) =
        Validation.orDefault "image_gen.xai.resolution" table (toWire defaultValue) text
