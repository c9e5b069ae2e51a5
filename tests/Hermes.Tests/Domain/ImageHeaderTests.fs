/// trust.md, "what is saved": only bytes whose magic number is png, jpeg, webp or gif; size and alpha from the header.
module Hermes.Tests.Domain.ImageHeaderTests

open System
open System.Text
open Xunit
open FsCheck
open FsCheck.FSharp
open FsCheck.Xunit
open Hermes.Domain

// ---- headers built byte by byte --------------------------------------------------------------------

let be32 (v: int) =
    [| byte (v >>> 24); byte (v >>> 16); byte (v >>> 8); byte v |]

let le16 (v: int) = [| byte v; byte (v >>> 8) |]

let le24 (v: int) =
    [| byte v; byte (v >>> 8); byte (v >>> 16) |]

let le32 (v: int) =
    [| byte v; byte (v >>> 8); byte (v >>> 16); byte (v >>> 24) |]

let ascii (s: string) = Encoding.ASCII.GetBytes s

let pngChunk (kind: string) (data: byte[]) =
    Array.concat [ be32 data.Length; ascii kind; data; [| 0uy; 0uy; 0uy; 0uy |] ]

let png (width: int) (height: int) (colourType: byte) (transparency: bool) =
    Array.concat
        [
            [| 0x89uy; 0x50uy; 0x4Euy; 0x47uy; 0x0Duy; 0x0Auy; 0x1Auy; 0x0Auy |]
            pngChunk "IHDR" (Array.concat [ be32 width; be32 height; [| 8uy; colourType; 0uy; 0uy; 0uy |] ])
            pngChunk "gAMA" (be32 45455)
            (if transparency then
                 pngChunk "tRNS" [| 0uy; 0uy |]
             else
                 [||])
            pngChunk "IDAT" [| 0x78uy; 0x9Cuy |]
            pngChunk "IEND" [||]
        ]

let gif (width: int) (height: int) =
    Array.concat [ ascii "GIF89a"; le16 width; le16 height; [| 0xF7uy; 0uy; 0uy |] ]

let riff (chunk: string) (data: byte[]) =
    Array.concat
        [
            ascii "RIFF"
            le32 (4 + 8 + data.Length)
            ascii "WEBP"
            ascii chunk
            le32 data.Length
            data
        ]

let webpLossy (width: int) (height: int) =
    riff
        "VP8 "
        (Array.concat
            [
                [| 0x9Duy; 0x01uy; 0x00uy |]
                [| 0x9Duy; 0x01uy; 0x2Auy |]
                le16 width
                le16 height
                Array.zeroCreate 10
            ])

let webpLossless (width: int) (height: int) (alpha: bool) =
    let bits = (width - 1) ||| ((height - 1) <<< 14) ||| (if alpha then 1 <<< 28 else 0)
    riff "VP8L" (Array.concat [ [| 0x2Fuy |]; le32 bits; Array.zeroCreate 8 ])

let webpExtended (width: int) (height: int) (alpha: bool) =
    riff
        "VP8X"
        (Array.concat
            [
                [| (if alpha then 0x10uy else 0uy); 0uy; 0uy; 0uy |]
                le24 (width - 1)
                le24 (height - 1)
            ])

let jpegSegment (marker: byte) (data: byte[]) =
    Array.concat
        [
            [| 0xFFuy; marker |]
            [| byte ((data.Length + 2) >>> 8); byte (data.Length + 2) |]
            data
        ]

let jpeg (width: int) (height: int) (sof: byte) =
    Array.concat
        [
            [| 0xFFuy; 0xD8uy |]
            jpegSegment 0xE0uy (Array.concat [ ascii "JFIF"; [| 0uy; 1uy; 2uy; 0uy; 0uy; 1uy; 0uy; 1uy; 0uy; 0uy |] ])
            jpegSegment 0xDBuy (Array.zeroCreate 65)
            [| 0xFFuy |] // a fill byte before the next marker
            jpegSegment 0xC4uy (Array.zeroCreate 20) // DHT sits in the SOF range but is not a frame
            jpegSegment
                sof
                (Array.concat
                    [
                        [| 8uy; byte (height >>> 8); byte height; byte (width >>> 8); byte width; 3uy |]
                        Array.zeroCreate 9
                    ])
            jpegSegment 0xDAuy (Array.zeroCreate 10)
            [| 0x12uy; 0x34uy; 0xFFuy; 0xD9uy |]
        ]

let size = Gen.choose (1, 16383)
let size16 = Gen.choose (1, 65535)
let size24 = Gen.choose (1, 1 <<< 24)

let info format width height alpha =
    Some
        {
            Format = format
            Width = Some width
            Height = Some height
            HasAlpha = alpha
        }

// ---- sizes and alpha ---------------------------------------------------------------------------------

[<Property(MaxTest = 500)>]
let ``header: PNG size from IHDR; alpha from colour type 4 or 6 or a tRNS chunk`` () =
    let gen =
        Gen.zip3 (Gen.zip size24 size24) (Gen.elements [ 0uy; 2uy; 3uy; 4uy; 6uy ]) (Gen.elements [ true; false ])

    Prop.forAll (Arb.fromGen gen) (fun ((w, h), colourType, transparency) ->
        let alpha = colourType = 4uy || colourType = 6uy || transparency
        ImageHeader.read (png w h colourType transparency) = info ImageFormat.Png w h (Some alpha))

[<Property(MaxTest = 500)>]
let ``header: GIF size from the logical screen`` () =
    Prop.forAll (Arb.fromGen (Gen.zip size16 size16)) (fun (w, h) -> ImageHeader.read (gif w h) = info ImageFormat.Gif w h None)

[<Property(MaxTest = 500)>]
let ``header: WebP size from VP8, VP8L and VP8X; alpha from the VP8L bit and the VP8X flag`` () =
    Prop.forAll (Arb.fromGen (Gen.zip3 size size (Gen.elements [ true; false ]))) (fun (w, h, alpha) ->
        ImageHeader.read (webpLossy w h) = info ImageFormat.Webp w h (Some false)
        && ImageHeader.read (webpLossless w h alpha) = info ImageFormat.Webp w h (Some alpha))

[<Property(MaxTest = 500)>]
let ``header: WebP VP8X canvas up to 2^24`` () =
    Prop.forAll (Arb.fromGen (Gen.zip3 size24 size24 (Gen.elements [ true; false ]))) (fun (w, h, alpha) ->
        ImageHeader.read (webpExtended w h alpha) = info ImageFormat.Webp w h (Some alpha))

[<Property(MaxTest = 500)>]
let ``header: JPEG size from the first SOFn after skipping the other segments`` () =
    let sof =
        Gen.elements
            [
                0xC0uy
                0xC1uy
                0xC2uy
                0xC3uy
                0xC5uy
                0xC6uy
                0xC7uy
                0xC9uy
                0xCAuy
                0xCBuy
                0xCDuy
                0xCEuy
                0xCFuy
            ]

    Prop.forAll (Arb.fromGen (Gen.zip3 size16 size16 sof)) (fun (w, h, marker) ->
        ImageHeader.read (jpeg w h marker) = info ImageFormat.Jpeg w h (Some false))

let anyHeader =
    Gen.oneof
        [
            Gen.map2 (fun w h -> png w h 6uy false) size size
            Gen.map2 (fun w h -> png w h 2uy true) size size
            Gen.map2 gif size16 size16
            Gen.map2 webpLossy size size
            Gen.map2 (fun w h -> webpLossless w h true) size size
            Gen.map2 (fun w h -> webpExtended w h true) size size
            Gen.map2 (fun w h -> jpeg w h 0xC2uy) size16 size16
        ]

[<Property(MaxTest = 500)>]
let ``header: any prefix is read without throwing; what it says is true or unknown`` () =
    let gen =
        anyHeader
        |> Gen.bind (fun bytes -> Gen.choose (0, bytes.Length) |> Gen.map (fun n -> bytes, n))

    Prop.forAll (Arb.fromGen gen) (fun (bytes, n) ->
        let full = ImageHeader.read bytes |> Option.get

        match ImageHeader.read bytes[.. n - 1] with
        | None -> n < ImageHeader.sniffLength
        | Some partial ->
            partial.Format = full.Format
            && (partial.Width.IsNone || partial.Width = full.Width)
            && (partial.Height.IsNone || partial.Height = full.Height)
            && (partial.HasAlpha.IsNone || partial.HasAlpha = full.HasAlpha))

[<Fact>]
let ``header: the first sniffLength bytes are enough to know the format`` () =
    for bytes in
        [
            png 1 1 6uy false
            gif 1 1
            webpLossy 1 1
            webpLossless 1 1 false
            webpExtended 1 1 false
            jpeg 1 1 0xC0uy
        ] do
        Assert.True((ImageHeader.read bytes[.. ImageHeader.sniffLength - 1]).IsSome)

// ---- hostile bytes -------------------------------------------------------------------------------------

[<Property(MaxTest = 3000)>]
let ``header: random bytes never throw and are no image unless they start with a magic number`` (bytes: byte[]) =
    let bytes = if isNull bytes then [||] else bytes

    let magic =
        [
            [| 0x89uy; 0x50uy; 0x4Euy; 0x47uy |]
            [| 0xFFuy; 0xD8uy; 0xFFuy |]
            ascii "GIF8"
            ascii "RIFF"
        ]
        |> List.exists (fun m -> bytes.Length >= m.Length && bytes[.. m.Length - 1] = m)

    ImageHeader.read bytes = None || magic

[<Property(MaxTest = 3000)>]
let ``header: a magic number followed by garbage never throws`` (garbage: byte[]) =
    let garbage = if isNull garbage then [||] else garbage

    [
        [| 0x89uy; 0x50uy; 0x4Euy; 0x47uy; 0x0Duy; 0x0Auy; 0x1Auy; 0x0Auy |]
        Array.concat
            [
                [| 0x89uy; 0x50uy; 0x4Euy; 0x47uy; 0x0Duy; 0x0Auy; 0x1Auy; 0x0Auy |]
                be32 13
                ascii "IHDR"
            ]
        [| 0xFFuy; 0xD8uy; 0xFFuy |]
        [| 0xFFuy; 0xD8uy |]
        ascii "GIF89a"
        Array.concat [ ascii "RIFF"; le32 0; ascii "WEBPVP8 " ]
        Array.concat [ ascii "RIFF"; le32 0; ascii "WEBPVP8L" ]
        Array.concat [ ascii "RIFF"; le32 0; ascii "WEBPVP8X" ]
    ]
    |> List.forall (fun magic ->
        match ImageHeader.read (Array.append magic garbage) with
        | Some info ->
            info.Width |> Option.forall (fun w -> w > 0)
            && info.Height |> Option.forall (fun h -> h > 0)
        | None -> true)

[<Theory>]
[<InlineData("<!DOCTYPE html><html><body>not an image</body></html>")>]
[<InlineData("{\"error\":{\"message\":\"nope\"}}")>]
[<InlineData("<?xml version=\"1.0\"?><svg xmlns=\"http://www.w3.org/2000/svg\"/>")>]
[<InlineData("<svg width=\"10\" height=\"10\"></svg>")>]
[<InlineData("plain text served as image/png")>]
[<InlineData("RIFF\u0000\u0000\u0000\u0000WAVEfmt ")>]
[<InlineData("GIF8")>]
[<InlineData("")>]
let ``header: HTML, JSON, SVG and text served as an image are not images`` (body: string) =
    Assert.Equal(None, ImageHeader.read (Encoding.UTF8.GetBytes body))
    Assert.Equal(None, ImageHeader.read null)

[<Fact>]
let ``header: a JPEG that reaches its scan before any frame has no size`` () =
    let bytes =
        Array.concat
            [
                [| 0xFFuy; 0xD8uy |]
                jpegSegment 0xDAuy (Array.zeroCreate 4)
                jpegSegment 0xC0uy (Array.zeroCreate 9)
            ]

    Assert.Equal(
        Some
            {
                Format = ImageFormat.Jpeg
                Width = None
                Height = None
                HasAlpha = Some false
            },
        ImageHeader.read bytes
    )

[<Fact>]
let ``header: zero sizes are unknown, not zero`` () =
    Assert.Equal(
        Some
            {
                Format = ImageFormat.Gif
                Width = None
                Height = Some 5
                HasAlpha = None
            },
        ImageHeader.read (gif 0 5)
    )

    Assert.Equal(None, (ImageHeader.read (png 0 7 6uy false)).Value.Width)

[<Fact>]
let ``header: extension and media type of each format`` () =
    let table =
        [
            ImageFormat.Png, "png", "image/png"
            ImageFormat.Jpeg, "jpg", "image/jpeg"
            ImageFormat.Webp, "webp", "image/webp"
            ImageFormat.Gif, "gif", "image/gif"
        ]

    for format, ext, media in table do
        Assert.Equal(ext, ImageHeader.extension format)
        Assert.Equal(media, ImageHeader.mediaType format)
        Assert.Equal(media, ImageFile.mediaTypeOf ext)
