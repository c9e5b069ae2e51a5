module Hermes.Tests.Domain.ImageFileTests

open System
open Xunit
open FsCheck.Xunit
open FsCheck
open FsCheck.FSharp
open Hermes.Domain

[<Theory>]
[<InlineData("image/png", "png")>]
[<InlineData("image/jpeg", "jpg")>]
[<InlineData("image/jpg", "jpg")>]
[<InlineData("IMAGE/WEBP", "webp")>]
[<InlineData("image/gif; charset=binary", "gif")>]
let ``content type maps to extension`` (contentType: string, expected: string) =
    Assert.Equal(Some expected, ImageFile.extensionOfContentType contentType)

[<Theory>]
[<InlineData("https://imgen.x.ai/xai-tmp-abc.jpeg?sig=1", "jpg")>]
[<InlineData("https://cdn.example/a/b.WEBP#frag", "webp")>]
[<InlineData("https://cdn.example/a/b.gif", "gif")>]
let ``URL suffix is the fallback`` (url: string, expected: string) =
    Assert.Equal(expected, ImageFile.extensionFor (Some "application/octet-stream") url)

[<Fact>]
let ``png is the default`` () =
    Assert.Equal("png", ImageFile.extensionFor None "https://cdn.example/download?id=.jpg")
    Assert.Equal("png", ImageFile.extensionFor (Some "text/html") "https://cdn.example/blob")
    Assert.Equal("jpg", ImageFile.extensionFor (Some "image/jpeg") "https://cdn.example/a.png")

[<Property>]
let ``extension inference is total and always an allowed type`` (contentType: string) (url: string) =
    List.contains (ImageFile.extensionFor (Option.ofObj contentType) url) [ "png"; "jpg"; "webp"; "gif" ]

[<Property>]
let ``sanitized prefixes never contain path characters`` (prefix: string) =
    let cleaned = ImageFile.sanitizePrefix prefix

    cleaned.Length > 0
    && cleaned.Length <= 64
    && cleaned
       |> String.forall (fun c -> Char.IsAsciiLetterOrDigit c || c = '-' || c = '_' || c = '.')
    && not (cleaned.StartsWith ".")

[<Fact>]
let ``file name is prefix, UTC timestamp, random suffix`` () =
    let name =
        ImageFile.fileName
            "fal-ai/flux-2-pro"
            (DateTime(2026, 11, 25, 14, 3, 9, DateTimeKind.Utc))
            [| 0xABuy; 0x01uy; 0xFFuy; 0x10uy |]
            "webp"

    Assert.Equal("fal-ai_flux-2-pro_20261125_140309_ab01ff10.webp", name)

[<Property>]
let ``base64 round-trips any non-empty bytes`` (NonEmptyArray(bytes: byte[])) =
    match ImageFile.decodeBase64 (Convert.ToBase64String bytes) with
    | Ok image -> image.Bytes = bytes
    | Error _ -> false

[<Fact>]
let ``data URLs carry their type, raw base64 is sniffed`` () =
    let png = [| 0x89uy; 0x50uy; 0x4Euy; 0x47uy; 0x0Duy; 0x0Auy |]
    let jpeg = [| 0xFFuy; 0xD8uy; 0xFFuy; 0xE0uy |]

    Assert.Equal(
        Ok "webp",
        ImageFile.decodeBase64 ("data:image/webp;base64," + Convert.ToBase64String png)
        |> Result.map _.Extension
    )

    Assert.Equal(Ok "png", ImageFile.decodeBase64 (Convert.ToBase64String png) |> Result.map _.Extension)
    Assert.Equal(Ok "jpg", ImageFile.decodeBase64 (Convert.ToBase64String jpeg) |> Result.map _.Extension)

[<Theory>]
[<InlineData("")>]
[<InlineData("not base64 at all!")>]
[<InlineData("data:image/png,plain")>]
let ``invalid base64 is an error value`` (text: string) =
    Assert.True(ImageFile.decodeBase64 text |> Result.isError)
