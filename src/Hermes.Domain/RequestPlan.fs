namespace Hermes.Domain

open System.Text.Json.Nodes

/// What `generate --dry-run` asks for: the dispatch's provider and model and the caller's values.
type PlanInput =
    {
        Provider: string
        Model: string
        Prompt: string
        Aspect: AspectRatio
        Resolution: Resolution option
        SourceCount: int
        HasMask: bool
        InputFidelity: string option
        /// The output controls the provider validated (OutputControls.forProvider).
        Controls: OutputControls
    }

/// The request a generation would send, built by the providers' own pure builders; never a credential.
type RequestPreview =
    {
        /// The path or FAL endpoint the body goes to (never a base URL, which may carry credentials).
        Endpoint: string
        Body: JsonNode
        /// "json" or "multipart" (OpenAI edits: the parts in order, files named, never read).
        Encoding: string
    }

module RequestPlan =

    /// Edit sources stand in by number: a dry run reads no file and fetches no URL.
    let sourcePlaceholder (number: int) = $"<source image {number}>"

    let maskPlaceholder = "<mask>"

    let private placeholders (count: int) =
        [ for n in 1..count -> sourcePlaceholder n ]

    let private mask (input: PlanInput) =
        if input.HasMask then Some maskPlaceholder else None

    let private json endpoint (body: JsonNode) =
        {
            Endpoint = endpoint
            Body = body
            Encoding = "json"
        }

    /// The OpenAI multipart parts as a JSON array: fields with their value, files with the placeholder they stand for.
    let private multipart (parts: FormPart list) : JsonNode =
        JsonArray(
            parts
            |> List.map (fun part ->
                match part with
                | FormPart.Field(name, value) -> Requests.objectOf [ "name", JsonValue.Create name; "value", JsonValue.Create value ]
                | FormPart.File(name, file) ->
                    let stands =
                        match file with
                        | FormFile.Source index -> sourcePlaceholder (index + 1)
                        | FormFile.Mask -> maskPlaceholder

                    Requests.objectOf [ "name", JsonValue.Create name; "file", JsonValue.Create stands ]
                :> JsonNode)
            |> Array.ofList
        )

    /// Gemini's body with each source as an inlineData part whose data is its placeholder.
    let private gemini (input: PlanInput) =
        let parts =
            [ for _ in 1 .. input.SourceCount -> { MimeType = "image/png"; Bytes = [||] } ]

        let body = GeminiRequests.body input.Model input.Prompt input.Aspect input.Controls parts
        let sent = body["contents"].[0].["parts"].AsArray()

        for n in 1 .. input.SourceCount do
            sent[n].["inlineData"].["data"] <- JsonValue.Create(sourcePlaceholder n)

        json $"/v1beta/models/{input.Model}:generateContent" body

    /// The request of one image, or why this provider has no preview (a configured endpoint, an unknown model).
    let preview (input: PlanInput) : Result<RequestPreview, string> =
        let sources = placeholders input.SourceCount
        let isEdit = input.SourceCount > 0

        match input.Provider with
        | "xai" when isEdit ->
            let model = EditCapability.xaiEditModel input.Model None
            Ok(json "/images/edits" (EditRequests.xai model input.Prompt input.Controls sources))
        | "xai" ->
            // --resolution wins over the one an exact size maps to, as in the provider
            let resolution =
                input.Resolution
                |> Option.orElse input.Controls.Resolution
                |> Option.defaultValue Resolution.defaultValue
            Ok(json "/images/generations" (Requests.xai input.Model input.Prompt input.Aspect resolution None input.Controls))
        | "openai" when isEdit ->
            let parts =
                EditRequests.openAi
                    (OpenAiModel.ofId input.Model)
                    input.Prompt
                    input.Aspect
                    input.SourceCount
                    input.HasMask
                    input.Controls
                    input.InputFidelity

            Ok
                {
                    Endpoint = "/images/edits"
                    Body = multipart parts
                    Encoding = "multipart"
                }
        | "openai" -> Ok(json "/images/generations" (Requests.openAi (OpenAiModel.ofId input.Model) input.Prompt input.Aspect input.Controls))
        | "openai-codex" ->
            match Tier.parse input.Model with
            | Error bad -> Error bad.Message
            | Ok tier when isEdit -> Ok(json "/responses" (EditRequests.codex tier input.Prompt input.Aspect input.Controls sources (mask input)))
            | Ok tier -> Ok(json "/responses" (Requests.codex tier input.Prompt input.Aspect input.Controls))
        | "fal" ->
            match FalCatalog.tryModel input.Model with
            | None -> Error $"no request preview for FAL model '{input.Model}'"
            | Some model ->
                match model.Edit with
                | Some edit when isEdit ->
                    Ok(
                        json
                            edit.Endpoint
                            (EditRequests.fal model edit input.Prompt input.Aspect (FalPayload.ofControls input.Controls) sources (mask input))
                    )
                | _ -> Ok(json model.Info.Id (FalPayload.build model input.Prompt input.Aspect (FalPayload.ofControls input.Controls)))
        | "gemini" -> Ok(gemini input)
        | other -> Error $"no request preview for provider '{other}'"
