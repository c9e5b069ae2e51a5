namespace Hermes.Domain

open System

/// File-naming and type rules for cached images.
module ImageFile =

    /// The media type of a cached file's extension.
    let mediaTypeOf (extension: string) =
        match
            (if isNull extension then
                 ""
             else
                 extension.TrimStart('.').ToLowerInvariant())
        with
        | "jpg"
        | "jpeg" -> "image/jpeg"
        | "webp" -> "image/webp"
        | "gif" -> "image/gif"
        | _ -> "image/png"

    /// Only [A-Za-z0-9._-] survive, so a model id such as fal-ai/flux-2-pro never becomes a path.
    let sanitizePrefix (prefix: string) =
        let cleaned =
            (if isNull prefix then "" else prefix)
            |> String.map (fun c ->
                if Char.IsAsciiLetterOrDigit c || c = '-' || c = '_' || c = '.' then
                    c
                else
                    '_')
            |> fun s -> s.Trim('.')

        let cut =
            if cleaned.Length > 64 then
                cleaned.Substring(0, 64)
            else
                cleaned

        if cut = "" then "image" else cut

    /// "<prefix>_<yyyyMMdd_HHmmss>_<suffix>.<ext>" from values the caller supplies.
    let fileName (prefix: string) (utc: DateTime) (randomSuffix: byte[]) (extension: string) =
        sprintf
            "%s_%s_%s.%s"
            (sanitizePrefix prefix)
            (utc.ToString("yyyyMMdd_HHmmss", Globalization.CultureInfo.InvariantCulture))
            (Convert.ToHexString(randomSuffix).ToLowerInvariant())
            extension

    /// The base64 text of raw base64 or a `data:image/<type>;base64,` URL; any other data URL is refused.
    let base64Payload (text: string) : Result<string, BadValue> =
        let bad reason =
            Error
                {
                    Field = "base64 image"
                    Value = reason
                    Allowed = [ "raw base64"; "data:image/<type>;base64,<data>" ]
                }

        match Validation.nonBlank text with
        | None -> bad "empty"
        | Some value when value.StartsWith("data:", StringComparison.OrdinalIgnoreCase) ->
            match value.IndexOf ',' with
            | -1 -> bad "data URL without a payload"
            | comma ->
                let header = value.Substring(5, comma - 5).ToLowerInvariant()

                if header.StartsWith "image/" && header.EndsWith ";base64" then
                    Ok(value.Substring(comma + 1))
                else
                    bad "data URL that is not image/*;base64"
        | Some value -> Ok value
