namespace Hermes.Domain

open System

/// What an xAI answer says about itself: the model that answered and where the image came from.
type XaiProvenance =
    {
        RequestedModel: string
        /// The answer's top-level `model`, terminal-safe; None when xAI names none.
        ResponseModel: string option
        /// True only when xAI named a model other than the one requested.
        ModelMismatch: bool
        /// One line for the user, only on a mismatch.
        Warning: string option
        /// `file_output`, `b64_json` or `url`: the field of data[0] the image is taken from.
        OutputBranch: string option
        /// data[0].file_output.public_url, the durable URL of xAI file storage.
        PublicUrl: string option
    }

module XaiProvenance =

    /// The field the image is taken from, in the order Hermes prefers: the durable public URL, base64, the temporary URL.
    let outputBranch (image: AnswerImage) =
        if image.PublicUrl.IsSome then "file_output"
        elif image.Base64.IsSome then "b64_json"
        else "url"

    let ofAnswer (requestedModel: string) (answer: ImagesAnswer) : XaiProvenance =
        let response = answer.Model |> Option.map (TerminalText.sanitizeWith 120)

        // Case and surrounding blanks are not a different model.
        let mismatch =
            response
            |> Option.exists (fun m -> not (m.Equals(requestedModel.Trim(), StringComparison.OrdinalIgnoreCase)))

        let first = List.tryHead answer.Images

        {
            RequestedModel = requestedModel
            ResponseModel = response
            ModelMismatch = mismatch
            Warning =
                match response with
                | Some answered when mismatch ->
                    Some $"xAI answered with model '{answered}' although '{requestedModel}' was requested"
                | _ -> None
            OutputBranch = first |> Option.map outputBranch
            PublicUrl = first |> Option.bind _.PublicUrl
        }
