namespace Hermes.Domain

/// What a provider's model takes in an edit: how many source images (the image to edit included) and whether a mask.
type EditSupport = { MaxSources: int; Mask: bool }

/// Which provider/model can edit, as catalog data (edits.md "Per provider"), and the check made before any request.
module EditCapability =

    /// xAI `/images/edits`: up to 3 sources, no mask.
    let xai = { MaxSources = 3; Mask = false }

    /// OpenAI `/images/edits`: up to 16 `image[]` parts and a mask.
    let openAi = { MaxSources = 16; Mask = true }

    /// Codex `input_image` parts: up to 16, and `input_image_mask` on the tool.
    let codex = { MaxSources = 16; Mask = true }

    /// Gemini `inlineData` parts: 3 for the flash models, 14 references for gemini-3-pro-image; no mask.
    let gemini (model: string) =
        {
            MaxSources = (if model.Contains("pro", System.StringComparison.Ordinal) then 14 else 3)
            Mask = false
        }

    /// The edit support of a model, or None when it cannot edit.
    let forModel (provider: string) (model: string) : EditSupport option =
        match provider with
        | "xai" -> Some xai
        | "openai" -> Some openAi
        | "openai-codex" -> Some codex
        | "gemini" -> Some(gemini model)
        | "fal" ->
            FalCatalog.tryModel model
            |> Option.bind _.Edit
            |> Option.map (fun e -> { MaxSources = e.MaxSources; Mask = e.Mask })
        | _ -> None

    /// The model xAI edits with: the chosen one when its live `input_modalities` include image, else the quality model.
    let xaiEditModel (chosen: string) (acceptsImageInput: bool option) =
        if acceptsImageInput = Some true then
            chosen
        else
            XaiModels.qualityModel

    let private editingModels (provider: string) =
        match provider with
        | "fal" -> FalCatalog.editEndpoints |> List.map fst
        | _ -> []

    /// Ok when a model with this edit support takes this many sources (and the mask, if any); otherwise one line naming its limit.
    let checkSupport (support: EditSupport option) (provider: string) (model: string) (sources: int) (hasMask: bool) : Result<unit, string> =
        match support with
        | _ when sources = 0 && hasMask ->
            Error "a mask was given without a source image: the mask applies to the first source image"
        | _ when sources = 0 -> Ok()
        | None ->
            let others =
                match editingModels provider with
                | [] -> ""
                | ids -> sprintf "; %s models that can: %s" provider (String.concat ", " ids)

            Error $"{provider} model '{model}' cannot edit images (it takes 0 source images){others}"
        | Some support when sources > support.MaxSources ->
            Error(
                $"""{provider} model '{model}' takes at most {support.MaxSources} source image{(if support.MaxSources = 1 then "" else "s")}, got {sources}"""
            )
        | Some support when hasMask && not support.Mask ->
            Error(
                sprintf
                    "%s model '%s' takes no mask; masks are taken by openai, openai-codex and fal openai/gpt-image-2 (model fal-ai/gpt-image-2)"
                    provider
                    model
            )
        | Some _ -> Ok()

    /// `checkSupport` with the bundled table's support for the model.
    let check (provider: string) (model: string) (sources: int) (hasMask: bool) : Result<unit, string> =
        checkSupport (forModel provider model) provider model sources hasMask
