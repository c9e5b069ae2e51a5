namespace Hermes.Domain

[<RequireQualifiedAccess>]
type AspectRatio =
    | Landscape
    | Square
    | Portrait

module AspectRatio =

    let all = [ AspectRatio.Landscape; AspectRatio.Square; AspectRatio.Portrait ]

    let toWire =
        function
        | AspectRatio.Landscape -> "landscape"
        | AspectRatio.Square -> "square"
        | AspectRatio.Portrait -> "portrait"

    /// The reference tool schema defaults to landscape.
    let defaultValue = AspectRatio.Landscape

    let private table = all |> List.map (fun a -> toWire a, a)

    /// Case-insensitive parse; the error lists the allowed values.
    let parse (text: string) : Result<AspectRatio, BadValue> =
        let lowered = if isNull text then text else text.Trim().ToLowerInvariant()

        match Validation.parseFrom "aspect ratio" table lowered with
        | Ok a -> Ok a
        | Error bad ->
            Error
                { bad with
                    Value = (if isNull text then "" else text)
                }

    /// OpenAI gpt-image sizes (also used by the Codex image tool).
    let openAiSize =
        function
        | AspectRatio.Landscape -> "1536x1024"
        | AspectRatio.Square -> "1024x1024"
        | AspectRatio.Portrait -> "1024x1536"

    /// xAI's aspect_ratio field.
    let xaiAspect =
        function
        | AspectRatio.Landscape -> "16:9"
        | AspectRatio.Square -> "1:1"
        | AspectRatio.Portrait -> "9:16"
