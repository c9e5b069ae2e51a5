namespace Hermes.Domain

/// An edit mask: a PNG with an alpha channel, the same pixel size as the first source image (edits.md).
module MaskRule =

    let private size (info: ImageInfo) =
        match info.Width, info.Height with
        | Some w, Some h -> Some(w, h)
        | _ -> None

    /// Ok when the mask fits the first source image; otherwise one line naming what is wrong and what is allowed.
    let check (first: ImageInfo) (mask: ImageInfo) : Result<unit, string> =
        if mask.Format <> ImageFormat.Png then
            Error(
                sprintf
                    "invalid mask: it is a %s image; a mask must be a PNG with an alpha channel"
                    ((ImageHeader.extension mask.Format).ToUpperInvariant())
            )
        elif mask.HasAlpha <> Some true then
            Error "invalid mask: the PNG has no alpha channel; a mask must be a PNG with alpha (RGBA, gray+alpha or tRNS)"
        else
            match size first, size mask with
            | None, _ -> Error "invalid mask: the first source image's pixel size cannot be read to compare it with the mask"
            | _, None -> Error "invalid mask: its pixel size cannot be read from the PNG header"
            | Some(fw, fh), Some(mw, mh) when fw <> mw || fh <> mh ->
                Error(
                    $"invalid mask: it is {mw}x{mh} but the first source image is {fw}x{fh}; a mask must be the same size as the first image"
                )
            | Some _, Some _ -> Ok()
