/// reference-2026.md, xAI rows: the merged catalog, storage_options and the answer's provenance, as pure rules.
module Hermes.Tests.Domain.XaiImagineTests

open System
open System.Buffers
open Xunit
open FsCheck
open FsCheck.FSharp
open FsCheck.Xunit
open Hermes.Domain

let idGen =
    Gen.oneof
        [
            Gen.elements (
                XaiModels.staticIds
                @ [ "grok-imagine-image-3"; "grok-2-image-1212"; "bad id"; "\u001b[31mred"; "" ]
            )
            ArbMap.defaults
            |> ArbMap.generate<string>
            |> Gen.map (fun s -> if isNull s then "" else s)
        ]

let isPlainId (id: string) =
    id.Length > 0
    && id.Length <= 100
    && id
       |> Seq.forall (fun c -> Char.IsAsciiLetterOrDigit c || c = '.' || c = '-' || c = '_')

[<Property>]
let ``xAI catalog: curated models first, then each plain live id once; the default stays grok-imagine-image`` () =
    Prop.forAll (Arb.fromGen (Gen.listOf idGen)) (fun live ->
        let catalog = Catalog.xaiWith live
        let listed = Catalog.modelIds catalog

        let expectedLive =
            live
            |> List.filter isPlainId
            |> List.distinct
            |> List.except XaiModels.staticIds

        listed = XaiModels.staticIds @ expectedLive
        && catalog.DefaultModel = "grok-imagine-image"
        && expectedLive |> List.forall (Catalog.accepts catalog)
        && catalog.Models |> List.forall (fun m -> isPlainId m.Id))

[<Fact>]
let ``xAI catalog: a live model the curated list does not describe is shown by its id`` () =
    let catalog = Catalog.xaiWith [ "grok-imagine-image-3"; "grok-imagine-image" ]
    Assert.Equal(Catalog.xai.Models.Head, catalog.Models.Head)

    Assert.Equal(
        ModelInfo.create "grok-imagine-image-3" "grok-imagine-image-3" "" "New xAI Imagine model (from live xAI catalog)",
        List.last catalog.Models
    )

    Assert.False(Catalog.accepts Catalog.xai "grok-imagine-image-3")

[<Fact>]
let ``storage: the file name is hermes-xai-image-<UTC time>-<suffix>.png`` () =
    let at = DateTimeOffset(2026, 3, 4, 23, 5, 6, TimeSpan.FromHours -5.0)
    Assert.Equal("hermes-xai-image-20260305-040506-0a1b2c3d.png", XaiStorage.filename at "0a1b2c3d")

[<Theory>]
[<InlineData(null, null)>]
[<InlineData("", null)>]
[<InlineData("default", null)>]
[<InlineData("None", null)>]
[<InlineData("null", null)>]
[<InlineData("never", null)>]
[<InlineData("PERMANENT", null)>]
[<InlineData("forever", null)>]
[<InlineData("0", null)>]
[<InlineData("-5", null)>]
[<InlineData("3600", "3600")>]
[<InlineData("90s", "90")>]
[<InlineData("15m", "900")>]
[<InlineData("36h", "129600")>]
[<InlineData("7d", "604800")>]
[<InlineData("31d", "2592000")>]
[<InlineData("99999999999999999", "2592000")>]
[<InlineData("definitely-not-a-duration", "172800")>]
[<InlineData("1.5d", "172800")>]
let ``storage: expires_after is omitted for keep-forever words, capped at 30 days, two days when unparsable``
    (configured: string, seconds: string)
    =
    Assert.Equal(Option.ofObj seconds |> Option.map int64, XaiStorage.expiresAfter (Option.ofObj configured))

[<Property>]
let ``storage: expires_after is never above 30 days and never zero or negative`` (configured: string) =
    match XaiStorage.expiresAfter (Option.ofObj configured) with
    | Some seconds -> seconds > 0L && seconds <= XaiStorage.maxSeconds
    | None -> true

[<Property>]
let ``storage: on with public_url unless config says false`` (enabled: bool option) (publicUrl: bool option) =
    let text = Option.map (fun b -> if b then "true" else "false")

    let storage =
        XaiStorage.fromSettings
            {
                Enabled = text enabled
                PublicUrl = text publicUrl
                ExpiresAfter = None
            }
            "f.png"

    match enabled, storage with
    | Some false, None -> true
    | Some false, Some _ -> false
    | _, Some s ->
        s.PublicUrl = (publicUrl <> Some false)
        && s.Filename = "f.png"
        && s.ExpiresAfter.IsNone
    | _, None -> false

[<Fact>]
let ``storage: the request carries storage_options only when storage is on`` () =
    let storage =
        {
            Filename = "hermes-xai-image-x.png"
            PublicUrl = true
            ExpiresAfter = Some 90L
        }

    let body =
        Requests.xai "grok-imagine-image" "fox" AspectRatio.Square Resolution.OneK (Some storage) OutputControls.none

    Assert.Equal(
        """{"model":"grok-imagine-image","prompt":"fox","aspect_ratio":"1:1","resolution":"1k","storage_options":{"filename":"hermes-xai-image-x.png","public_url":true,"expires_after":90}}""",
        body.ToJsonString()
    )

    Assert.False((Requests.xai "grok-imagine-image" "fox" AspectRatio.Square Resolution.OneK None OutputControls.none).ContainsKey "storage_options")

let image (publicUrl: bool) (base64: bool) (url: bool) =
    {
        Base64 = if base64 then Some(ReadOnlySequence("aGk="B)) else None
        Url = if url then Some "https://imgen.x.ai/t.png" else None
        PublicUrl = if publicUrl then Some "https://files.x.ai/p.png" else None
        RevisedPrompt = None
    }

let answer (model: string option) (first: AnswerImage) =
    {
        Images = [ first ]
        Usage = Map.empty
        Model = model
    }

[<Property>]
let ``provenance: a mismatch only when xAI names another model, ignoring case; the warning exactly then`` (model: string option) =
    let requested = "grok-imagine-image"
    let given = model |> Option.bind Validation.nonBlank
    let p = XaiProvenance.ofAnswer requested (answer given (image false true false))

    let differs =
        given
        |> Option.exists (fun m -> not (String.Equals(m, requested, StringComparison.OrdinalIgnoreCase)))

    p.RequestedModel = requested
    && p.ModelMismatch = differs
    && p.Warning.IsSome = differs
    && (p.ResponseModel.IsSome = given.IsSome)

[<Fact>]
let ``provenance: the output branch is the durable URL, then base64, then the temporary URL`` () =
    let branch first =
        (XaiProvenance.ofAnswer "m" (answer None first)).OutputBranch

    Assert.Equal(Some "file_output", branch (image true true true))
    Assert.Equal(Some "b64_json", branch (image false true true))
    Assert.Equal(Some "url", branch (image false false true))
    Assert.Equal(Some "https://files.x.ai/p.png", (XaiProvenance.ofAnswer "m" (answer None (image true false true))).PublicUrl)
    Assert.Equal(None, (XaiProvenance.ofAnswer "m" (answer None (image false true true))).PublicUrl)

[<Fact>]
let ``provenance: a response model with terminal escapes is reported cleaned`` () =
    let p =
        XaiProvenance.ofAnswer "grok-imagine-image" (answer (Some "grok\u001b[2Jx") (image false true false))

    Assert.True(p.ModelMismatch)
    // ordinal: a culture-aware search ignores control characters
    Assert.False(p.ResponseModel.Value.Contains '\u001b')
    Assert.False(p.Warning.Value.Contains '\u001b')
