namespace Hermes.Domain

/// The image types Hermes saves; anything else served as an image (HTML, JSON, SVG, text) is refused.
[<RequireQualifiedAccess>]
type ImageFormat =
    | Png
    | Jpeg
    | Webp
    | Gif

/// What the first bytes of an image say; sizes and alpha are None when the prefix does not reach them.
type ImageInfo =
    {
        Format: ImageFormat
        Width: int option
        Height: int option
        HasAlpha: bool option
    }

/// Reads the format, pixel size and alpha from the header bytes of an image, without decoding it.
module ImageHeader =

    let extension (format: ImageFormat) =
        match format with
        | ImageFormat.Png -> "png"
        | ImageFormat.Jpeg -> "jpg"
        | ImageFormat.Webp -> "webp"
        | ImageFormat.Gif -> "gif"

    let mediaType (format: ImageFormat) =
        match format with
        | ImageFormat.Png -> "image/png"
        | ImageFormat.Jpeg -> "image/jpeg"
        | ImageFormat.Webp -> "image/webp"
        | ImageFormat.Gif -> "image/gif"

    /// Bytes needed to recognise every format (WebP's RIFF....WEBP is the longest).
    let sniffLength = 12

    let private byteAt (bytes: byte[]) (i: int) =
        if i >= 0 && i < bytes.Length then
            Some(int bytes[i])
        else
            None

    /// Unsigned integer of `count` bytes at i; big-endian or little-endian; None past the end.
    let private unsignedAt (bigEndian: bool) (count: int) (bytes: byte[]) (i: int) =
        if i < 0 || i > bytes.Length - count then
            None
        else
            let order =
                if bigEndian then
                    [ 0 .. count - 1 ]
                else
                    [ count - 1 .. -1 .. 0 ]

            Some(order |> List.fold (fun acc k -> (acc <<< 8) ||| int64 bytes[i + k]) 0L)

    let private u16be = unsignedAt true 2
    let private u32be = unsignedAt true 4
    let private u16le = unsignedAt false 2
    let private u24le = unsignedAt false 3
    let private u32le = unsignedAt false 4

    let private matches (expected: byte[]) (bytes: byte[]) (i: int) =
        i >= 0
        && i <= bytes.Length - expected.Length
        && Array.forall2 (=) expected bytes[i .. i + expected.Length - 1]

    /// A usable pixel dimension: positive and within int.
    let private dimension (value: int64 option) =
        value
        |> Option.filter (fun v -> v > 0L && v <= int64 System.Int32.MaxValue)
        |> Option.map int

    let private pngSignature =
        [| 0x89uy; 0x50uy; 0x4Euy; 0x47uy; 0x0Duy; 0x0Auy; 0x1Auy; 0x0Auy |]

    /// Alpha of a PNG without an alpha colour type: a tRNS chunk before the first IDAT.
    let rec private pngTransparency (bytes: byte[]) (at: int64) =
        if at > int64 bytes.Length - 8L then
            None
        else
            let i = int at

            if matches "tRNS"B bytes (i + 4) then
                Some true
            elif matches "IDAT"B bytes (i + 4) || matches "IEND"B bytes (i + 4) then
                Some false
            else
                pngTransparency bytes (at + 12L + (u32be bytes i |> Option.defaultValue 0L))

    let private png (bytes: byte[]) =
        let ihdr = matches "IHDR"B bytes 12 && u32be bytes 8 = Some 13L

        let alpha =
            match (if ihdr then byteAt bytes 25 else None) with
            | Some 4
            | Some 6 -> Some true
            | Some _ -> pngTransparency bytes 8L
            | None -> None

        {
            Format = ImageFormat.Png
            Width = if ihdr then dimension (u32be bytes 16) else None
            Height = if ihdr then dimension (u32be bytes 20) else None
            HasAlpha = alpha
        }

    let private gif (bytes: byte[]) =
        {
            Format = ImageFormat.Gif
            Width = dimension (u16le bytes 6)
            Height = dimension (u16le bytes 8)
            HasAlpha = None // transparency lives in a per-frame extension, not in the header
        }

    let private webp (bytes: byte[]) =
        let info width height alpha =
            {
                Format = ImageFormat.Webp
                Width = dimension width
                Height = dimension height
                HasAlpha = alpha
            }

        if matches "VP8 "B bytes 12 && matches [| 0x9Duy; 0x01uy; 0x2Auy |] bytes 23 then
            info (u16le bytes 26 |> Option.map ((&&&) 0x3FFFL)) (u16le bytes 28 |> Option.map ((&&&) 0x3FFFL)) (Some false)
        elif matches "VP8L"B bytes 12 && byteAt bytes 20 = Some 0x2F then
            match u32le bytes 21 with
            | Some bits -> info (Some((bits &&& 0x3FFFL) + 1L)) (Some(((bits >>> 14) &&& 0x3FFFL) + 1L)) (Some((bits >>> 28) &&& 1L = 1L))
            | None -> info None None None
        elif matches "VP8X"B bytes 12 then
            info
                (u24le bytes 24 |> Option.map ((+) 1L))
                (u24le bytes 27 |> Option.map ((+) 1L))
                (byteAt bytes 20 |> Option.map (fun flags -> flags &&& 0x10 <> 0))
        else
            info None None None

    /// SOFn markers carry the frame size; C4 (DHT), C8 (JPG) and CC (DAC) share the range but do not.
    let private isStartOfFrame (marker: int) =
        marker >= 0xC0
        && marker <= 0xCF
        && marker <> 0xC4
        && marker <> 0xC8
        && marker <> 0xCC

    /// Walks the JPEG segments from i up to the first SOFn; (width, height) when the prefix reaches it.
    let rec private jpegSize (bytes: byte[]) (i: int64) =
        if i > int64 bytes.Length - 2L then
            None, None
        else
            let at = int i

            match byteAt bytes at, byteAt bytes (at + 1) with
            | Some 0xFF, Some 0xFF -> jpegSize bytes (i + 1L) // fill byte
            | Some 0xFF, Some marker when marker = 0x01 || (marker >= 0xD0 && marker <= 0xD8) -> jpegSize bytes (i + 2L)
            | Some 0xFF, Some marker when isStartOfFrame marker -> dimension (u16be bytes (at + 7)), dimension (u16be bytes (at + 5))
            | Some 0xFF, Some marker when marker <> 0xD9 && marker <> 0xDA ->
                match u16be bytes (at + 2) with
                | Some length when length >= 2L -> jpegSize bytes (i + 2L + length)
                | _ -> None, None
            | _ -> None, None // end of image, start of scan before any frame, or not a marker

    let private jpeg (bytes: byte[]) =
        let width, height = jpegSize bytes 2L

        {
            Format = ImageFormat.Jpeg
            Width = width
            Height = height
            HasAlpha = Some false
        }

    /// Format from the magic number, size and alpha from the header; works on a prefix of the file; never throws.
    let read (bytes: byte[]) : ImageInfo option =
        if isNull bytes then
            None
        elif matches pngSignature bytes 0 then
            Some(png bytes)
        elif matches [| 0xFFuy; 0xD8uy; 0xFFuy |] bytes 0 then
            Some(jpeg bytes)
        elif matches "GIF87a"B bytes 0 || matches "GIF89a"B bytes 0 then
            Some(gif bytes)
        elif matches "RIFF"B bytes 0 && matches "WEBP"B bytes 8 then
            Some(webp bytes)
        else
            None
