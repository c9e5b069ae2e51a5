namespace Hermes.Domain

open System

/// File-naming and type rules for cached images.
module ImageFile =

    let defaultExtension = "png"

    /// image/png → png, image/jpeg and image/jpg → jpg, image/webp → webp, image/gif → gif; parameters ignored.
    let extensionOfContentType (contentType: string) =
        match Validation.nonBlank contentType with
        | None -> None
        | Some value ->
            match value.Split(';').[0].Trim().ToLowerInvariant() with
            | "image/png" -> Some "png"
            | "image/jpeg"
            | "image/jpg" -> Some "jpg"
            | "image/webp" -> Some "webp"
            | "image/gif" -> Some "gif"
            | _ -> None

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

    let private ofSuffix (suffix: string) =
        match suffix.ToLowerInvariant() with
        | "png" -> Some "png"
        | "jpg"
        | "jpeg" -> Some "jpg"
        | "webp" -> Some "webp"
        | "gif" -> Some "gif"
        | _ -> None

    /// The suffix of the URL's path (query and fragment ignored), when it is an image type.
    let extensionOfUrl (url: string) =
        match Validation.nonBlank url with
        | None -> None
        | Some value ->
            let path = value.Split([| '?'; '#' |]).[0]
            let name = path.Substring(path.LastIndexOf('/') + 1)

            match name.LastIndexOf '.' with
            | -1 -> None
            | dot -> ofSuffix (name.Substring(dot + 1))

    /// Content-Type first, then the URL suffix, then png.
    let extensionFor (contentType: string option) (url: string) =
        contentType
        |> Option.bind extensionOfContentType
        |> Option.orElse (extensionOfUrl url)
        |> Option.defaultValue defaultExtension

    let private startsWith (prefix: byte[]) (bytes: byte[]) =
        bytes.Length >= prefix.Length
        && Array.forall2 (=) prefix bytes[.. prefix.Length - 1]

    /// The image type from magic bytes, when they are one of png, jpg, gif, webp.
    let sniff (bytes: byte[]) =
        if startsWith [| 0x89uy; 0x50uy; 0x4Euy; 0x47uy |] bytes then
            Some "png"
        elif startsWith [| 0xFFuy; 0xD8uy; 0xFFuy |] bytes then
            Some "jpg"
        elif startsWith "GIF8"B bytes then
            Some "gif"
        elif bytes.Length >= 12 && startsWith "RIFF"B bytes && bytes[8..11] = "WEBP"B then
            Some "webp"
        else
            None

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

    type DecodedImage = { Bytes: byte[]; Extension: string }

    /// Decodes raw base64 or a `data:image/...;base64,` URL; the error says what was wrong.
    let decodeBase64 (text: string) : Result<DecodedImage, BadValue> =
        let bad reason =
            Error
                {
                    Field = "base64 image"
                    Value = reason
                    Allowed = [ "raw base64"; "data:image/<type>;base64,<data>" ]
                }

        match Validation.nonBlank text with
        | None -> bad "empty"
        | Some value ->
            let declared, payload =
                if value.StartsWith("data:", StringComparison.OrdinalIgnoreCase) then
                    match value.IndexOf ',' with
                    | -1 -> None, None
                    | comma ->
                        let header = value.Substring(5, comma - 5)

                        if header.EndsWith(";base64", StringComparison.OrdinalIgnoreCase) then
                            extensionOfContentType (header.Substring(0, header.Length - 7)), Some(value.Substring(comma + 1))
                        else
                            None, None
                else
                    None, Some value

            match payload with
            | None -> bad "data URL without ;base64 payload"
            | Some data ->
                let buffer = Array.zeroCreate<byte> (data.Length * 3 / 4 + 3)

                match Convert.TryFromBase64String(data, Span<byte>(buffer)) with
                | true, written when written > 0 ->
                    let bytes = buffer[.. written - 1]

                    Ok
                        {
                            Bytes = bytes
                            Extension = declared |> Option.orElse (sniff bytes) |> Option.defaultValue defaultExtension
                        }
                | true, _ -> bad "decodes to zero bytes"
                | false, _ -> bad "not valid base64"
