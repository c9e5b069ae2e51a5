namespace Hermes.Domain

open System.Buffers
open System.Text.Json

/// One `inlineData` part of a Gemini answer; the base64 stays a slice of the body so a large image is never a string.
type GeminiImage =
    {
        MimeType: string option
        Base64: ReadOnlySequence<byte>
    }

/// What Hermes reads from a `generateContent` answer.
type GeminiAnswer =
    {
        Images: GeminiImage list
        /// The model's commentary (the text parts), joined.
        Text: string option
        /// The first candidate finish reason that is not STOP, else the first one.
        FinishReason: string option
        /// `promptFeedback.blockReason`: the prompt itself was blocked.
        BlockReason: string option
        /// usageMetadata counts under the names the other providers use (input_tokens, output_tokens, total_tokens), others as given.
        Usage: Map<string, int64>
    }

/// What a parsed answer means for the caller.
[<RequireQualifiedAccess>]
type GeminiVerdict =
    | Images of GeminiImage list
    | Refused of reason: string * text: string option
    | TextOnly of text: string
    | Empty of finishReason: string option

module GeminiAnswer =

    /// Finish and block reasons by which Gemini says its safety system refused the prompt or the image.
    let refusalReasons = set [ "IMAGE_SAFETY"; "SAFETY"; "PROHIBITED_CONTENT" ]

    let private usageName =
        function
        | "promptTokenCount" -> "input_tokens"
        | "candidatesTokenCount" -> "output_tokens"
        | "totalTokenCount" -> "total_tokens"
        | other -> other

    let private inlineData (body: ReadOnlySequence<byte>) (reader: byref<Utf8JsonReader>) =
        let mutable mime = None
        let mutable data = None

        if reader.TokenType = JsonTokenType.StartObject then
            while reader.Read() && reader.TokenType = JsonTokenType.PropertyName do
                let name = reader.GetString()
                reader.Read() |> ignore

                match name with
                | "mimeType" -> mime <- ImagesAnswer.text &reader
                | "data" -> data <- ImagesAnswer.slice body &reader
                | _ -> reader.Skip()
        else
            reader.Skip()

        data |> Option.map (fun d -> { MimeType = mime; Base64 = d })

    /// Reads one part: an image, a text, or nothing Hermes uses (a thought signature, a function call).
    let private part (body: ReadOnlySequence<byte>) (reader: byref<Utf8JsonReader>) =
        let mutable image = None
        let mutable text = None
        let mutable thought = false

        while reader.Read() && reader.TokenType = JsonTokenType.PropertyName do
            let name = reader.GetString()
            reader.Read() |> ignore

            match name with
            | "inlineData" -> image <- inlineData body &reader
            | "text" -> text <- ImagesAnswer.text &reader
            | "thought" when reader.TokenType = JsonTokenType.True -> thought <- true
            | _ -> reader.Skip()

        // Thought parts are the model's drafts, not its answer.
        if thought then None, None else image, text

    let private content (body: ReadOnlySequence<byte>) (reader: byref<Utf8JsonReader>) =
        let mutable images = []
        let mutable texts = []

        if reader.TokenType = JsonTokenType.StartObject then
            while reader.Read() && reader.TokenType = JsonTokenType.PropertyName do
                let name = reader.GetString()
                reader.Read() |> ignore

                if name = "parts" && reader.TokenType = JsonTokenType.StartArray then
                    while reader.Read() && reader.TokenType <> JsonTokenType.EndArray do
                        if reader.TokenType = JsonTokenType.StartObject then
                            let image, text = part body &reader
                            images <- Option.toList image @ images
                            texts <- Option.toList text @ texts
                        else
                            reader.Skip()
                else
                    reader.Skip()
        else
            reader.Skip()

        images, texts

    let private candidate (body: ReadOnlySequence<byte>) (reader: byref<Utf8JsonReader>) =
        let mutable images = []
        let mutable texts = []
        let mutable finish = None

        while reader.Read() && reader.TokenType = JsonTokenType.PropertyName do
            let name = reader.GetString()
            reader.Read() |> ignore

            match name with
            | "content" ->
                let i, t = content body &reader
                images <- i
                texts <- t
            | "finishReason" -> finish <- ImagesAnswer.text &reader
            | _ -> reader.Skip()

        images, texts, finish

    let private blockReason (reader: byref<Utf8JsonReader>) =
        let mutable reason = None

        if reader.TokenType = JsonTokenType.StartObject then
            while reader.Read() && reader.TokenType = JsonTokenType.PropertyName do
                let name = reader.GetString()
                reader.Read() |> ignore

                if name = "blockReason" then
                    reason <- ImagesAnswer.text &reader
                else
                    reader.Skip()
        else
            reader.Skip()

        reason

    /// Reads `candidates[].content.parts[]`, `finishReason`, `promptFeedback` and `usageMetadata`; odd types are ignored.
    let parse (body: ReadOnlySequence<byte>) : Result<GeminiAnswer, AnswerError> =
        let mutable reader =
            Utf8JsonReader(body, JsonReaderOptions(CommentHandling = JsonCommentHandling.Skip, MaxDepth = 64))

        try
            if not (reader.Read()) || reader.TokenType <> JsonTokenType.StartObject then
                Error AnswerError.NotAnObject
            else
                let mutable images = []
                let mutable texts = []
                let mutable finishes = []
                let mutable block = None
                let mutable usage = Map.empty

                while reader.Read() && reader.TokenType = JsonTokenType.PropertyName do
                    let name = reader.GetString()
                    reader.Read() |> ignore

                    match name, reader.TokenType with
                    | "candidates", JsonTokenType.StartArray ->
                        while reader.Read() && reader.TokenType <> JsonTokenType.EndArray do
                            if reader.TokenType = JsonTokenType.StartObject then
                                let i, t, f = candidate body &reader
                                images <- i @ images
                                texts <- t @ texts
                                finishes <- Option.toList f @ finishes
                            else
                                reader.Skip()
                    | "promptFeedback", _ -> block <- blockReason &reader
                    | "usageMetadata", JsonTokenType.StartObject ->
                        usage <-
                            ImagesAnswer.numbers "" &reader Map.empty
                            |> Map.toList
                            |> List.map (fun (k, v) -> usageName k, v)
                            |> Map.ofList
                    | _ -> reader.Skip()

                let finishes = List.rev finishes

                Ok
                    {
                        Images = List.rev images
                        Text =
                            match List.rev texts with
                            | [] -> None
                            | all -> Validation.nonBlank (String.concat "\n" all)
                        FinishReason =
                            finishes
                            |> List.tryFind (fun f -> f <> "STOP")
                            |> Option.orElse (List.tryHead finishes)
                        BlockReason = block
                        Usage = usage
                    }
        with :? JsonException as e ->
            Error(AnswerError.NotJson e.Message)

    /// Images win; else a blocked prompt or a safety finish reason is a refusal; else text alone; else nothing.
    let verdict (answer: GeminiAnswer) =
        let refusal =
            answer.BlockReason
            |> Option.orElse (answer.FinishReason |> Option.filter refusalReasons.Contains)

        match answer.Images, refusal, answer.Text with
        | _ :: _, _, _ -> GeminiVerdict.Images answer.Images
        | [], Some reason, text -> GeminiVerdict.Refused(reason, text)
        | [], None, Some text -> GeminiVerdict.TextOnly text
        | [], None, None -> GeminiVerdict.Empty answer.FinishReason

    /// The error kind and one-line message of a verdict without images.
    let failure (label: string) (verdict: GeminiVerdict) : (ErrorKind * string) option =
        let said text =
            text
            |> Option.map (fun t -> ": " + TerminalText.sanitizeWith 300 t)
            |> Option.defaultValue ""

        match verdict with
        | GeminiVerdict.Images _ -> None
        | GeminiVerdict.Refused(reason, text) ->
            Some(ErrorKind.ContentPolicy, $"{label} refused the request ({reason}){said text}")
        | GeminiVerdict.TextOnly text -> Some(ErrorKind.NoImage, $"{label} returned no image, only text{said (Some text)}")
        | GeminiVerdict.Empty reason ->
            Some(
                ErrorKind.NoImage,
                sprintf "%s returned no image%s" label (reason |> Option.map (sprintf " (finishReason %s)") |> Option.defaultValue "")
            )
