namespace Hermes.Domain

open System.Collections.Generic
open System.Text.Json.Nodes

/// The JSON bodies Hermes sends, built fresh on every call.
module Requests =

    /// The Responses model that hosts the image_generation tool; the image itself is gpt-image-2.
    let codexHostModel = "gpt-5.5"

    let codexInstructions =
        "You are an assistant that must fulfil image generation and image editing requests by using the image_generation tool when provided."

    let private node (value: string) : JsonNode = JsonValue.Create(value)

    /// A JSON object with its keys in the given order.
    let objectOf (pairs: (string * JsonNode) list) =
        JsonObject(pairs |> List.map KeyValuePair.Create)

    /// xAI `storage_options`: expires_after only when a retention is configured.
    let xaiStorage (storage: XaiStorage) =
        let options =
            objectOf (
                [
                    ("filename", node storage.Filename)
                    ("public_url", JsonValue.Create(storage.PublicUrl) :> JsonNode)
                ]
            )

        match storage.ExpiresAfter with
        | Some seconds -> options["expires_after"] <- JsonValue.Create(seconds)
        | None -> ()

        options

    /// xAI's aspect_ratio: the exact ratio asked for (or mapped from a size), else the named aspect's.
    let xaiAspectRatio (aspect: AspectRatio) (controls: OutputControls) =
        controls.AspectRatio |> Option.defaultValue (AspectRatio.xaiAspect aspect)

    /// POST {base}/images/generations for the Grok Imagine models: text-to-image, with storage_options unless storage is off.
    let xai
        (model: string)
        (prompt: string)
        (aspect: AspectRatio)
        (resolution: Resolution)
        (storage: XaiStorage option)
        (controls: OutputControls)
        =
        let body =
            objectOf (
                [
                    ("model", node model)
                    ("prompt", node prompt)
                    ("aspect_ratio", node (xaiAspectRatio aspect controls))
                    ("resolution", node (Resolution.toWire resolution))
                ]
            )

        // n only when several images are asked for: one image is the API's default
        if controls.Images > 1 then
            body["n"] <- JsonValue.Create(controls.Images)

        match storage with
        | Some options -> body["storage_options"] <- xaiStorage options
        | None -> ()

        body

    /// The gpt-image size sent: the exact size (or auto) asked for, else the named aspect's.
    let openAiSize (aspect: AspectRatio) (controls: OutputControls) =
        controls.OpenAiSize |> Option.defaultValue (AspectRatio.openAiSize aspect)

    /// The quality sent: the one asked for, else the tier's (a passed-through model has none).
    let openAiQuality (model: OpenAiModel) (controls: OutputControls) =
        controls.Quality |> Option.orElse (OpenAiModel.quality model)

    /// The optional gpt-image output fields in wire order, each only when asked for (a form sends their text).
    let openAiOutputFields (controls: OutputControls) : (string * JsonNode) list =
        [
            controls.Format |> Option.map (fun f -> "output_format", node f)
            controls.Compression
            |> Option.map (fun c -> "output_compression", JsonValue.Create(c) :> JsonNode)
            controls.Background |> Option.map (fun b -> "background", node b)
            controls.Moderation |> Option.map (fun m -> "moderation", node m)
        ]
        |> List.choose id

    /// POST {base}/images/generations for gpt-image-*; never carries response_format (the API rejects it).
    let openAi (model: OpenAiModel) (prompt: string) (aspect: AspectRatio) (controls: OutputControls) =
        let body =
            objectOf (
                [
                    ("model", node (OpenAiModel.apiModel model))
                    ("prompt", node prompt)
                    ("size", node (openAiSize aspect controls))
                    ("n", JsonValue.Create(controls.Images) :> JsonNode)
                ]
            )

        match openAiQuality model controls with
        | Some quality -> body["quality"] <- node quality
        | None -> ()

        for key, value in openAiOutputFields controls do
            body[key] <- value

        body

    /// POST {base}/responses on the ChatGPT/Codex backend, streamed; no tool_choice: every form of it gets HTTP 400 from the backend.
    let codex (tier: Tier) (prompt: string) (aspect: AspectRatio) (controls: OutputControls) =
        let content =
            JsonArray(objectOf ([ ("type", node "input_text"); ("text", node prompt) ]))

        let message =
            objectOf (
                [
                    ("type", node "message")
                    ("role", node "user")
                    ("content", content :> JsonNode)
                ]
            )

        let optional =
            openAiOutputFields
                { controls with
                    Format = None
                    Background = None
                }

        let tool =
            objectOf (
                [
                    ("type", node "image_generation")
                    ("model", node Tier.apiModel)
                    ("size", node (openAiSize aspect controls))
                    ("quality", node (openAiQuality (OpenAiModel.Tier tier) controls |> Option.defaultValue (Tier.quality tier)))
                    ("output_format", node (controls.Format |> Option.defaultValue "png"))
                ]
                @ optional
                @ [
                    ("background", node (controls.Background |> Option.defaultValue "opaque"))
                    ("partial_images", JsonValue.Create(0) :> JsonNode)
                ]
            )

        objectOf (
            [
                ("model", node codexHostModel)
                ("store", JsonValue.Create(false) :> JsonNode)
                ("instructions", node codexInstructions)
                ("input", JsonArray(message) :> JsonNode)
                ("tools", JsonArray(tool) :> JsonNode)
                ("stream", JsonValue.Create(true) :> JsonNode)
            ]
        )
