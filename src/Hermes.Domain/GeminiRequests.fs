namespace Hermes.Domain

open System.Text.Json.Nodes

/// An edit source as Gemini takes it: an `inlineData` part with its media type and bytes (sent as base64).
type InlinePart = { MimeType: string; Bytes: byte[] }

/// The Gemini API `generateContent` call for the image models ("Nano Banana").
module GeminiRequests =

    let defaultBaseUrl = "https://generativelanguage.googleapis.com"

    /// The aspect ratio Gemini's imageConfig takes for each Hermes aspect.
    let aspectRatio =
        function
        | AspectRatio.Landscape -> "16:9"
        | AspectRatio.Square -> "1:1"
        | AspectRatio.Portrait -> "9:16"

    /// The imageSize asked for: 1K for the lite model (its only size), 2K for the others.
    let imageSize (model: string) =
        if model.Contains("lite", System.StringComparison.Ordinal) then
            "1K"
        else
            "2K"

    /// `{base}/v1beta/models/{model}:generateContent`; the key travels in a header, never in the URL.
    let url (baseUrl: string) (model: string) =
        $"{baseUrl.TrimEnd '/'}/v1beta/models/{System.Uri.EscapeDataString model}:generateContent"

    let private node (value: string) : JsonNode = JsonValue.Create(value)

    let private inlinePart (part: InlinePart) : JsonNode =
        Requests.objectOf
            [
                "inlineData",
                Requests.objectOf
                    [
                        "mimeType", node part.MimeType
                        "data", node (System.Convert.ToBase64String part.Bytes)
                    ]
            ]

    /// The imageConfig sent: an exact ratio and imageSize asked for (or mapped from a size) win over the defaults.
    let imageConfig (model: string) (aspect: AspectRatio) (controls: OutputControls) =
        controls.AspectRatio |> Option.defaultValue (aspectRatio aspect),
        controls.GeminiImageSize |> Option.defaultValue (imageSize model)

    /// The body: the prompt, then each source as an inlineData part; TEXT and IMAGE so a refusal can come back as text.
    let body (model: string) (prompt: string) (aspect: AspectRatio) (controls: OutputControls) (sources: InlinePart list) : JsonObject =
        let ratio, size = imageConfig model aspect controls

        let parts =
            JsonArray(
                [|
                    yield Requests.objectOf [ "text", node prompt ] :> JsonNode
                    for source in sources do
                        yield inlinePart source
                |]
            )

        let config =
            Requests.objectOf
                [
                    "responseModalities", JsonArray(node "TEXT", node "IMAGE")
                    "imageConfig", Requests.objectOf [ "aspectRatio", node ratio; "imageSize", node size ]
                ]

        match controls.Seed with
        | Some seed -> config["seed"] <- JsonValue.Create(seed)
        | None -> ()

        Requests.objectOf
            [
                "contents", JsonArray(Requests.objectOf [ "role", node "user"; "parts", parts ] :> JsonNode)
                "generationConfig", config
            ]
