module Hermes.Tests.Domain.ImageFileTests

open System
open Xunit
open FsCheck.Xunit
open FsCheck
open FsCheck.FSharp
open Hermes.Domain

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

[<Theory>]
[<InlineData("")>]
[<InlineData("data:image/png,plain")>]
[<InlineData("data:text/html;base64,PGgxPg==")>]
let ``a data URL that is not image/*;base64 is an error value`` (text: string) =
    Assert.True(ImageFile.base64Payload text |> Result.isError)

[<Fact>]
let ``raw base64 and an image data URL give their payload`` () =
    Assert.Equal(Ok "iVBORw0K", ImageFile.base64Payload "iVBORw0K")
    Assert.Equal(Ok "iVBORw0K", ImageFile.base64Payload "data:image/png;base64,iVBORw0K")
