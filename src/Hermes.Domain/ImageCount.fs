namespace Hermes.Domain

/// How a provider makes several images of one prompt.
[<RequireQualifiedAccess>]
type CountSupport =
    /// One request asks for up to `max` images (OpenAI/xAI `n`, FAL `num_images`).
    | Native of max: int
    /// One image per request: N images are N requests (Codex, Gemini, a FAL model without num_images).
    | OnePerRequest

/// Count as requests (edits.md row "count"): native `n` where the API has it, split at the provider's max; else one request an image.
module ImageCount =

    /// OpenAI gpt-image and OpenAI-compatible/Azure endpoints: `n` 1 to 10, generations and edits.
    let openAiMax = 10

    /// xAI Grok Imagine: `n` 1 to 10, generations and edits.
    let xaiMax = 10

    /// What `provider` (the bundled provider whose API it speaks) does with a count for `model`.
    let forProvider (provider: string) (model: string) (isEdit: bool) : CountSupport =
        match provider with
        | "openai" -> CountSupport.Native openAiMax
        | "xai" -> CountSupport.Native xaiMax
        | "fal" ->
            match FalCatalog.tryModel model with
            | Some m ->
                let keys =
                    match m.Edit with
                    | Some edit when isEdit -> edit.Supports
                    | _ -> m.Supports

                if List.contains "num_images" keys then
                    CountSupport.Native m.MaxImages
                else
                    CountSupport.OnePerRequest
            | None -> CountSupport.OnePerRequest
        | _ -> CountSupport.OnePerRequest

    /// The images each request asks for, in order: as few requests as the max allows (13 at max 10 is 10 + 3);
    /// one image each without native n. Sums to `count`; empty for a count below 1.
    let requests (support: CountSupport) (count: int) : int list =
        let most =
            match support with
            | CountSupport.Native limit -> max limit 1
            | CountSupport.OnePerRequest -> 1

        [ for first in 0..most .. count - 1 -> min most (count - first) ]

    /// The error for the images an answer did not carry: `made` of `asked` came back.
    let shortfall (provider: string) (made: int) (asked: int) =
        $"%s{provider} returned %d{made} of the %d{asked} images asked for in one request"

    /// The note for images an answer carried beyond the count: every one is kept (they are paid for).
    let beyond (made: int) (asked: int) =
        $"""the provider returned {made} images where {asked} {(if asked = 1 then "was" else "were")} asked for; all were kept"""

    /// The controls with the images one request asks for (C# cannot copy an F# record with one field changed).
    let withImages (images: int) (controls: OutputControls) = { controls with Images = max images 1 }
