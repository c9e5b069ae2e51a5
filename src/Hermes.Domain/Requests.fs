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

    /// POST {base}/images/generations for the Grok Imagine models: text-to-image, with storage_options unless storage is off.
    let xai (model: string) (prompt: string) (aspect: AspectRatio) (resolution: Resolution) (storage: XaiStorage option) =
        let body =
            objectOf (
                [
                    ("model", node model)
                    ("prompt", node prompt)
                    ("aspect_ratio", node (AspectRatio.xaiAspect aspect))
                    ("resolution", node (Resolution.toWire resolution))
                ]
            )

        match storage with
        | Some options -> body["storage_options"] <- xaiStorage options
        | None -> ()

        body

    /// POST {base}/images/generations for gpt-image-*; never carries response_format (the API rejects it).
    let openAi (model: OpenAiModel) (prompt: string) (aspect: AspectRatio) (outputFormat: string option) =
        let body =
            objectOf (
                [
                    ("model", node (OpenAiModel.apiModel model))
                    ("prompt", node prompt)
                    ("size", node (AspectRatio.openAiSize aspect))
                    ("n", JsonValue.Create(1) :> JsonNode)
                ]
            )

        match OpenAiModel.quality model with
        | Some quality -> body["quality"] <- node quality
        | None -> ()

        match outputFormat with
        | Some format -> body["output_format"] <- node format
        | None -> ()

        body

    /// POST {base}/responses on the ChatGPT/Codex backend, streamed; no tool_choice: every form of it gets HTTP 400 from the backend.
    let codex (tier: Tier) (prompt: string) (aspect: AspectRatio) =
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

        let tool =
            objectOf (
                [
                    ("type", node "image_generation")
                    ("model", node Tier.apiModel)
                    ("size", node (AspectRatio.openAiSize aspect))
                    ("quality", node (Tier.quality tier))
                    ("output_format", node "png")
                    ("background", node "opaque")
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
