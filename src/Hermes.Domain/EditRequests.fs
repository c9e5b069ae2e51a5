namespace Hermes.Domain

open System.Text.Json.Nodes

/// A file part of an OpenAI edit: one of the sources, or the mask.
[<RequireQualifiedAccess>]
type FormFile =
    | Source of index: int
    | Mask

/// One part of a multipart/form-data body, in the order sent.
[<RequireQualifiedAccess>]
type FormPart =
    | Field of name: string * value: string
    | File of name: string * file: FormFile

/// The edit requests Hermes sends (edits.md "Per provider"), built fresh on every call; image URLs are https or data URLs.
module EditRequests =

    let private node (value: string) : JsonNode = JsonValue.Create(value)

    /// The multipart field every OpenAI source image goes in.
    let openAiImageField = "image[]"

    let openAiMaskField = "mask"

    let inputFidelities = [ "high"; "low" ]

    /// `input_fidelity` as OpenAI takes it: high or low.
    let inputFidelity (text: string) : Result<string, BadValue> =
        Validation.parseFrom "input fidelity" (inputFidelities |> List.map (fun f -> f, f)) text

    /// POST {base}/images/edits on xAI, JSON: one source as `image`, two or three as `images`; no aspect_ratio or resolution;
    /// `n` when several images are asked for.
    let xai (model: string) (prompt: string) (controls: OutputControls) (imageUrls: string list) =
        let image (url: string) =
            Requests.objectOf ([ ("url", node url); ("type", node "image_url") ]) :> JsonNode

        let sources =
            match imageUrls with
            | [ one ] -> ("image", image one)
            | many -> ("images", JsonArray(many |> List.map image |> Array.ofList) :> JsonNode)

        let body =
            Requests.objectOf ([ ("model", node model); ("prompt", node prompt); sources ])

        if controls.Images > 1 then
            body["n"] <- JsonValue.Create(controls.Images)

        body

    /// POST {base}/images/edits on OpenAI, multipart: fields and `image[]` file parts in order; never response_format.
    let openAi
        (model: OpenAiModel)
        (prompt: string)
        (aspect: AspectRatio)
        (sourceCount: int)
        (hasMask: bool)
        (controls: OutputControls)
        (fidelity: string option)
        : FormPart list =
        [
            FormPart.Field("model", OpenAiModel.apiModel model)
            FormPart.Field("prompt", prompt)
            for index in 0 .. sourceCount - 1 do
                FormPart.File(openAiImageField, FormFile.Source index)
            if hasMask then
                FormPart.File(openAiMaskField, FormFile.Mask)
            FormPart.Field("size", Requests.openAiSize aspect controls)
            match Requests.openAiQuality model controls with
            | Some quality -> FormPart.Field("quality", quality)
            | None -> ()
            FormPart.Field("n", string controls.Images)
            for key, value in Requests.openAiOutputFields controls do
                FormPart.Field(key, value.ToString())
            match fidelity with
            | Some value -> FormPart.Field("input_fidelity", value)
            | None -> ()
        ]

    /// The Codex Responses body with `input_image` parts after the `input_text`, and `input_image_mask` on the tool.
    let codex
        (tier: Tier)
        (prompt: string)
        (aspect: AspectRatio)
        (controls: OutputControls)
        (imageUrls: string list)
        (mask: string option)
        =
        let body = Requests.codex tier prompt aspect controls
        let content = body["input"].[0].["content"].AsArray()

        for url in imageUrls do
            content.Add(Requests.objectOf ([ ("type", node "input_image"); ("image_url", node url) ]))

        match mask with
        | Some url -> body["tools"].[0].["input_image_mask"] <- Requests.objectOf ([ ("image_url", node url) ])
        | None -> ()

        body

    /// The body for a FAL edit endpoint: the model's defaults and overrides kept only where the endpoint takes them,
    /// `image_urls` after the prompt, and `mask_image_url` where the endpoint has one.
    let fal
        (model: FalModel)
        (edit: FalEdit)
        (prompt: string)
        (aspect: AspectRatio)
        (overrides: FalOverrides)
        (imageUrls: string list)
        (mask: string option)
        =
        let entries =
            FalPayload.entries { model with Supports = edit.Supports } prompt aspect overrides

        let body = JsonObject()

        for key, value in entries do
            body[key] <- FalPayload.toNode value

            if key = "prompt" then
                body["image_urls"] <- JsonArray(imageUrls |> List.map node |> Array.ofList)

        match mask with
        | Some url when List.contains "mask_image_url" edit.Supports -> body["mask_image_url"] <- node url
        | _ -> ()

        body

    let private lastSegment (text: string) =
        let path = text.Split([| '?'; '#' |]).[0].TrimEnd('/', '\\')
        path.Substring(path.LastIndexOfAny [| '/'; '\\' |] + 1)

    /// The file name a part carries: the source's own name (sanitized) with the extension of its real format, else the fallback.
    let fileName (source: ImageSource) (format: ImageFormat) (fallback: string) =
        let name =
            match source with
            | ImageSource.LocalPath path -> lastSegment path
            | ImageSource.Remote url ->
                match url.IndexOf "://" with
                | -1 -> ""
                | i ->
                    let rest = url.Substring(i + 3)

                    match rest.IndexOf '/' with
                    | -1 -> ""
                    | slash -> lastSegment (rest.Substring slash)
            | ImageSource.DataUrl _ -> ""

        let stem =
            match name.LastIndexOf '.' with
            | -1 -> name
            | dot -> name.Substring(0, dot)

        let safe =
            match Validation.nonBlank stem with
            | Some s -> ImageFile.sanitizePrefix s
            | None -> ImageFile.sanitizePrefix fallback

        safe + "." + ImageHeader.extension format
