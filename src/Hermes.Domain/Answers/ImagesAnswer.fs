namespace Hermes.Domain

open System.Buffers
open System.Text.Json

/// One `data[i]` of an images answer; base64 stays a slice of the body so a large image is never a string.
type AnswerImage =
    {
        Base64: ReadOnlySequence<byte> option
        Url: string option
        PublicUrl: string option
        RevisedPrompt: string option
    }

/// What Hermes reads from an images API answer (xAI, OpenAI and OpenAI-compatible endpoints).
type ImagesAnswer =
    {
        Images: AnswerImage list
        /// Token counts flattened to dotted names: input_tokens, input_tokens_details.image_tokens, …
        Usage: Map<string, int64>
        Model: string option
    }

[<RequireQualifiedAccess>]
type AnswerError =
    | NotJson of detail: string
    | NotAnObject
    | NoImage

module AnswerError =

    let message (label: string) =
        function
        | AnswerError.NotJson detail -> $"{label} returned a body that is not JSON: {TerminalText.sanitizeWith 120 detail}"
        | AnswerError.NotAnObject -> $"{label} returned JSON that is not an object"
        | AnswerError.NoImage -> $"{label} returned no image data"

    let kind =
        function
        | AnswerError.NotJson _
        | AnswerError.NotAnObject -> ErrorKind.InvalidResponse
        | AnswerError.NoImage -> ErrorKind.NoImage

module ImagesAnswer =

    /// The most an images answer may hold: one image at the cap as base64, plus room for the rest of the JSON.
    let maxBodyBytes = (Limits.maxImageBytes + 2L) / 3L * 4L + 1_048_576L

    let text (reader: byref<Utf8JsonReader>) =
        if reader.TokenType = JsonTokenType.String then
            Validation.nonBlank (reader.GetString())
        else
            reader.Skip()
            None

    /// The string value under the reader as a slice of the body, without copying it.
    let slice (body: ReadOnlySequence<byte>) (reader: byref<Utf8JsonReader>) =
        if reader.TokenType <> JsonTokenType.String then
            reader.Skip()
            None
        elif reader.ValueIsEscaped then
            Some(ReadOnlySequence(System.Text.Encoding.UTF8.GetBytes(reader.GetString())))
        else
            let length =
                if reader.HasValueSequence then
                    reader.ValueSequence.Length
                else
                    int64 reader.ValueSpan.Length

            if length = 0L then
                None
            else
                Some(body.Slice(reader.TokenStartIndex + 1L, length))

    let private publicUrl (reader: byref<Utf8JsonReader>) =
        let mutable url = None

        if reader.TokenType = JsonTokenType.StartObject then
            while reader.Read() && reader.TokenType = JsonTokenType.PropertyName do
                let name = reader.GetString()
                reader.Read() |> ignore

                if name = "public_url" then
                    url <- text &reader
                else
                    reader.Skip()
        else
            reader.Skip()

        url

    let private image (body: ReadOnlySequence<byte>) (reader: byref<Utf8JsonReader>) =
        let mutable found =
            {
                Base64 = None
                Url = None
                PublicUrl = None
                RevisedPrompt = None
            }

        while reader.Read() && reader.TokenType = JsonTokenType.PropertyName do
            let name = reader.GetString()
            reader.Read() |> ignore

            match name with
            | "b64_json" -> found <- { found with Base64 = slice body &reader }
            | "url" -> found <- { found with Url = text &reader }
            | "revised_prompt" -> found <- { found with RevisedPrompt = text &reader }
            | "file_output" -> found <- { found with PublicUrl = publicUrl &reader }
            | _ -> reader.Skip()

        found

    let rec numbers (prefix: string) (reader: byref<Utf8JsonReader>) (acc: Map<string, int64>) =
        let mutable acc = acc

        while reader.Read() && reader.TokenType = JsonTokenType.PropertyName do
            let name = prefix + reader.GetString()
            reader.Read() |> ignore

            match reader.TokenType with
            | JsonTokenType.Number ->
                match reader.TryGetInt64() with
                | true, n -> acc <- acc |> Map.add name n
                | _ -> ()
            | JsonTokenType.StartObject -> acc <- numbers (name + ".") &reader acc
            | _ -> reader.Skip()

        acc

    /// Reads `data[]`, `usage` and `model`; fields of an unexpected type are ignored, never fatal.
    let parse (body: ReadOnlySequence<byte>) : Result<ImagesAnswer, AnswerError> =
        let mutable reader =
            Utf8JsonReader(body, JsonReaderOptions(CommentHandling = JsonCommentHandling.Skip, MaxDepth = 64))

        try
            if not (reader.Read()) || reader.TokenType <> JsonTokenType.StartObject then
                Error AnswerError.NotAnObject
            else
                let mutable images = []
                let mutable usage = Map.empty
                let mutable model = None

                while reader.Read() && reader.TokenType = JsonTokenType.PropertyName do
                    let name = reader.GetString()
                    reader.Read() |> ignore

                    match name, reader.TokenType with
                    | "data", JsonTokenType.StartArray ->
                        while reader.Read() && reader.TokenType <> JsonTokenType.EndArray do
                            if reader.TokenType = JsonTokenType.StartObject then
                                images <- image body &reader :: images
                            else
                                reader.Skip()
                    | "usage", JsonTokenType.StartObject -> usage <- numbers "" &reader Map.empty
                    | "model", _ -> model <- text &reader
                    | _ -> reader.Skip()

                let images =
                    images
                    |> List.rev
                    |> List.filter (fun i -> i.Base64.IsSome || i.Url.IsSome || i.PublicUrl.IsSome)

                if List.isEmpty images then
                    Error AnswerError.NoImage
                else
                    Ok
                        {
                            Images = images
                            Usage = usage
                            Model = model
                        }
        with :? JsonException as e ->
            Error(AnswerError.NotJson e.Message)
