namespace Hermes.Domain

open System.Collections.Generic
open System.Text.Json.Nodes

/// The JSON bodies Hermes sends, built fresh on every call.
module Requests =

    /// The Responses model that hosts the image_generation tool; the image itself is gpt-image-2.
    let codexHostModel = "gpt-5.5"

    let codexInstructions =
        "Fulfil the user's image request by calling the image_generation tool exactly once."

    let private node (value: string) : JsonNode = JsonValue.Create(value)

    /// POST {base}/images/generations for grok-imagine-image: text-to-image only.
    let xai (model: string) (prompt: string) (aspect: AspectRatio) (resolution: Resolution) =
        JsonObject(
            [ KeyValuePair.Create("model", node model)
              KeyValuePair.Create("prompt", node prompt)
              KeyValuePair.Create("aspect_ratio", node (AspectRatio.xaiAspect aspect))
              KeyValuePair.Create("resolution", node (Resolution.toWire resolution)) ]
        )

    /// POST {base}/images/generations for gpt-image-2; never carries response_format (the API rejects it).
    let openAi (tier: Tier) (prompt: string) (aspect: AspectRatio) (outputFormat: string option) =
        let body =
            JsonObject(
                [ KeyValuePair.Create("model", node Tier.apiModel)
                  KeyValuePair.Create("prompt", node prompt)
                  KeyValuePair.Create("size", node (AspectRatio.openAiSize aspect))
                  KeyValuePair.Create("n", JsonValue.Create(1) :> JsonNode)
                  KeyValuePair.Create("quality", node (Tier.quality tier)) ]
            )

        match outputFormat with
        | Some format -> body["output_format"] <- node format
        | None -> ()

        body

    /// POST {base}/responses on the ChatGPT/Codex backend: one forced image_generation tool call, streamed.
    let codex (tier: Tier) (prompt: string) (aspect: AspectRatio) =
        let content = JsonArray(JsonObject([ KeyValuePair.Create("type", node "input_text"); KeyValuePair.Create("text", node prompt) ]))

        let message =
            JsonObject(
                [ KeyValuePair.Create("type", node "message")
                  KeyValuePair.Create("role", node "user")
                  KeyValuePair.Create("content", content :> JsonNode) ]
            )

        let tool =
            JsonObject(
                [ KeyValuePair.Create("type", node "image_generation")
                  KeyValuePair.Create("model", node Tier.apiModel)
                  KeyValuePair.Create("size", node (AspectRatio.openAiSize aspect))
                  KeyValuePair.Create("quality", node (Tier.quality tier))
                  KeyValuePair.Create("output_format", node "png")
                  KeyValuePair.Create("background", node "opaque")
                  KeyValuePair.Create("partial_images", JsonValue.Create(1) :> JsonNode) ]
            )

        let toolChoice =
            JsonObject(
                [ KeyValuePair.Create("type", node "allowed_tools")
                  KeyValuePair.Create("mode", node "required")
                  KeyValuePair.Create(
                      "tools",
                      JsonArray(JsonObject([ KeyValuePair.Create("type", node "image_generation") ])) :> JsonNode
                  ) ]
            )

        JsonObject(
            [ KeyValuePair.Create("model", node codexHostModel)
              KeyValuePair.Create("store", JsonValue.Create(false) :> JsonNode)
              KeyValuePair.Create("instructions", node codexInstructions)
              KeyValuePair.Create("input", JsonArray(message) :> JsonNode)
              KeyValuePair.Create("tools", JsonArray(tool) :> JsonNode)
              KeyValuePair.Create("tool_choice", toolChoice :> JsonNode)
              KeyValuePair.Create("stream", JsonValue.Create(true) :> JsonNode) ]
        )
