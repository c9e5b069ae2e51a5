namespace Hermes.Domain

open System.Text.Json.Nodes

/// Caller overrides; only the ones that are set reach the payload, and only if the model accepts them.
type FalOverrides =
    {
        Seed: int option
        Steps: int option
        Guidance: float option
        NumImages: int option
        OutputFormat: string option
        Quality: string option
        Background: string option
        /// An exact `image_size {width,height}`, for the models whose image_size takes one.
        Dimensions: (int * int) option
        /// An exact `aspect_ratio`, for the models that take the ratio field.
        AspectRatio: string option
    }

module FalPayload =

    let noOverrides =
        {
            Seed = None
            Steps = None
            Guidance = None
            NumImages = None
            OutputFormat = None
            Quality = None
            Background = None
            Dimensions = None
            AspectRatio = None
        }

    /// The output controls FAL validated for the model, as payload overrides.
    let ofControls (controls: OutputControls) =
        { noOverrides with
            Seed = controls.Seed
            OutputFormat = controls.Format
            Quality = controls.Quality
            Background = controls.Background
            Dimensions = controls.Dimensions
            AspectRatio = controls.AspectRatio
            // one image is every model's default (or its own num_images default)
            NumImages = if controls.Images > 1 then Some controls.Images else None
        }

    let upscalerModel = "fal-ai/clarity-upscaler"

    /// A payload value as JSON.
    let toNode =
        function
        | FalParam.Int i -> JsonValue.Create(i) :> JsonNode
        | FalParam.Float f -> JsonValue.Create(f) :> JsonNode
        | FalParam.Text s -> JsonValue.Create(s) :> JsonNode
        | FalParam.Flag b -> JsonValue.Create(b) :> JsonNode
        | FalParam.Dimensions(w, h) ->
            Requests.objectOf (
                [
                    ("width", JsonValue.Create(w) :> JsonNode)
                    ("height", JsonValue.Create(h) :> JsonNode)
                ]
            )
            :> JsonNode

    let private pick (aspect: AspectRatio) (landscape, square, portrait) =
        match aspect with
        | AspectRatio.Landscape -> landscape
        | AspectRatio.Square -> square
        | AspectRatio.Portrait -> portrait

    /// The size entry for a model: (key, value); an exact size or ratio asked for wins over the named aspect's.
    let size (model: FalModel) (aspect: AspectRatio) (overrides: FalOverrides) : string * FalParam =
        match model.Size, overrides.Dimensions, overrides.AspectRatio with
        | (FalSize.Preset _ | FalSize.Dimensions _), Some(w, h), _ -> "image_size", FalParam.Dimensions(w, h)
        | FalSize.AspectRatioField, _, Some ratio -> "aspect_ratio", FalParam.Text ratio
        | FalSize.Preset(l, s, p), _, _ -> "image_size", FalParam.Text(pick aspect (l, s, p))
        | FalSize.Literal(l, s, p), _, _ -> "image_size", FalParam.Text(pick aspect (l, s, p))
        | FalSize.Dimensions(l, s, p), _, _ ->
            let w, h = pick aspect (l, s, p)
            "image_size", FalParam.Dimensions(w, h)
        | FalSize.AspectRatioField, _, None -> "aspect_ratio", FalParam.Text(AspectRatio.xaiAspect aspect)

    /// Defaults, then prompt, size, seed and overrides; keys the model does not accept are dropped.
    let entries (model: FalModel) (prompt: string) (aspect: AspectRatio) (overrides: FalOverrides) =
        let optional =
            [
                overrides.Seed |> Option.map (fun s -> "seed", FalParam.Int s)
                overrides.Steps |> Option.map (fun s -> "num_inference_steps", FalParam.Int s)
                overrides.Guidance |> Option.map (fun g -> "guidance_scale", FalParam.Float g)
                overrides.NumImages |> Option.map (fun n -> "num_images", FalParam.Int n)
                overrides.OutputFormat |> Option.map (fun f -> "output_format", FalParam.Text f)
                overrides.Quality |> Option.map (fun q -> "quality", FalParam.Text q)
                overrides.Background |> Option.map (fun b -> "background", FalParam.Text b)
            ]
            |> List.choose id

        let layered =
            model.Defaults
            @ [ "prompt", FalParam.Text(prompt.Trim()); size model aspect overrides ]
            @ optional

        let accepted key =
            key = "prompt" || List.contains key model.Supports

        // Later entries win, first position is kept so the payload reads in a stable order.
        layered
        |> List.filter (fst >> accepted)
        |> List.fold
            (fun acc (key, value) ->
                if List.exists (fst >> (=) key) acc then
                    acc |> List.map (fun (k, v) -> if k = key then k, value else k, v)
                else
                    acc @ [ key, value ])
            []

    let private toObject (entries: (string * FalParam) list) =
        let body = JsonObject()

        for key, value in entries do
            body[key] <- toNode value

        body

    /// The request body for a FAL text-to-image model.
    let build (model: FalModel) (prompt: string) (aspect: AspectRatio) (overrides: FalOverrides) =
        entries model prompt aspect overrides |> toObject

    /// The Clarity upscaler request for one generated image.
    let upscale (imageUrl: string) (prompt: string) =
        Requests.objectOf (
            [
                ("image_url", JsonValue.Create(imageUrl) :> JsonNode)
                ("prompt", JsonValue.Create("masterpiece, best quality, highres, " + prompt.Trim()) :> JsonNode)
                ("upscale_factor", JsonValue.Create(2) :> JsonNode)
                ("negative_prompt", JsonValue.Create("(worst quality, low quality, normal quality:2)") :> JsonNode)
                ("creativity", JsonValue.Create(0.35) :> JsonNode)
                ("resemblance", JsonValue.Create(0.6) :> JsonNode)
                ("guidance_scale", JsonValue.Create(4) :> JsonNode)
                ("num_inference_steps", JsonValue.Create(18) :> JsonNode)
                ("enable_safety_checker", JsonValue.Create(false) :> JsonNode)
            ]
        )
