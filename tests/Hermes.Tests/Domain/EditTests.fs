module Hermes.Tests.Domain.EditTests

open System
open System.Text.Json.Nodes
open Xunit
open FsCheck
open FsCheck.FSharp
open FsCheck.Xunit
open Hermes.Domain
open Hermes.Tests.Support

/// A PNG header of this size and colour type (6 RGBA, 4 gray+alpha, 2 RGB), then filler.
let pngImage (width: int) (height: int) (colorType: int) =
    let be (v: int) =
        [| byte (v >>> 24); byte (v >>> 16); byte (v >>> 8); byte v |]

    Array.concat
        [
            [| 0x89uy; 0x50uy; 0x4Euy; 0x47uy; 0x0Duy; 0x0Auy; 0x1Auy; 0x0Auy |]
            be 13
            "IHDR"B
            be width
            be height
            [| 8uy; byte colorType; 0uy; 0uy; 0uy |]
            be 0
            be 0
            "IDAT"B
            Array.create 64 7uy
        ]

let infoOf (bytes: byte[]) = (ImageHeader.read bytes).Value

let private segment =
    Gen.elements [ "a"; "img"; "photo.png"; "x y"; "Ünï"; "cache"; "images"; "auth.json"; "." ]

let private segments = Gen.listOfLength 3 segment |> Gen.map (String.concat "/")

// ---------------------------------------------------------------- source spec

[<Property>]
let ``an http or https URL is a remote source, whatever the case of its scheme`` (path: NonEmptyString) =
    let path = path.Get |> String.filter Char.IsAsciiLetterOrDigit

    [ "http://"; "https://"; "HTTPS://" ]
    |> List.forall (fun scheme ->
        ImageSource.parse "/home/u" (scheme + "example.com/" + path) = Ok(ImageSource.Remote(scheme + "example.com/" + path)))

[<Fact>]
let ``a data:image base64 URL is a data source; any other data URL is refused naming the rule`` () =
    let png = "data:image/png;base64," + Convert.ToBase64String(pngImage 16 16 6)
    Assert.Equal(Ok(ImageSource.DataUrl png), ImageSource.parse "/home/u" png)
    let error = expectError (ImageSource.parse "/home/u" "data:text/html;base64,PGh0bWw+")
    Assert.Contains("data:image/<type>;base64", error)

[<Theory>]
[<InlineData("file:///etc/passwd", "scheme 'file:'")>]
[<InlineData("ftp://example.com/a.png", "scheme 'ftp:'")>]
[<InlineData("javascript://alert(1)", "scheme 'javascript:'")>]
[<InlineData("   ", "it is empty")>]
let ``a source that is neither a path, an http(s) URL nor a data:image URL is refused naming it and what is allowed``
    (given: string, why: string)
    =
    let error = expectError (ImageSource.parse "/home/u" given)
    Assert.Contains(why, error)
    Assert.Contains("allowed: a local file path, an http(s) URL or a data:image", error)

[<Property>]
let ``a path without a scheme is a local path; ~ expands to the user's home`` () =
    Prop.forAll (Arb.fromGen segments) (fun rest ->
        ImageSource.parse "/home/u" ("~/" + rest) = Ok(ImageSource.LocalPath("/home/u/" + rest))
        && ImageSource.parse "/home/u" ("/data/" + rest) = Ok(ImageSource.LocalPath("/data/" + rest))
        && ImageSource.parse @"C:\Users\u" @"C:\pics\a.png" = Ok(ImageSource.LocalPath @"C:\pics\a.png"))

// ---------------------------------------------------------------- read guard

let guard =
    {
        HermesHome = "/home/u/.hermes"
        CredentialStores = ReadGuard.credentialStores "/home/u" (Some "/opt/codex")
    }

[<Property>]
let ``nothing under $HERMES_HOME is read except cache/images`` () =
    Prop.forAll (Arb.fromGen segments) (fun rest ->
        let anywhere = "/home/u/.hermes/" + rest

        Result.isOk (ReadGuard.check guard ("/home/u/.hermes/cache/images/" + rest))
        && Result.isOk (ReadGuard.check guard anywhere) = ReadGuard.isUnder "/home/u/.hermes/cache/images" anywhere)

[<Theory>]
[<InlineData("/home/u/.hermes/auth.json")>]
[<InlineData("/home/u/.hermes/config.yaml")>]
[<InlineData("/home/u/.hermes/.env")>]
[<InlineData("/home/u/.hermes/cache/images/../../auth.json")>]
[<InlineData("/home/u/.hermes/cache/images/../../../.hermes/auth.json")>]
[<InlineData("/home/u/.HERMES/auth.json")>]
[<InlineData("/home/u//.hermes/./auth.json")>]
[<InlineData("/home/u/.codex/auth.json")>]
[<InlineData("/opt/codex/auth.json")>]
[<InlineData("/home/u/.ssh/id_ed25519")>]
[<InlineData("/home/u/.aws/credentials")>]
[<InlineData("/home/u/.docker/config.json")>]
[<InlineData("/home/u/.netrc")>]
[<InlineData("relative/auth.json")>]
let ``the read guard refuses $HERMES_HOME files and credential stores however the path is spelled`` (path: string) =
    let error = expectError (ReadGuard.check guard path)
    Assert.StartsWith("refusing to read", error)

[<Theory>]
[<InlineData("/home/u/.hermes/cache/images/a.png")>]
[<InlineData("/home/u/pictures/cat.png")>]
[<InlineData("/home/u/.hermes-old/auth.json")>]
[<InlineData("/tmp/../home/u/cat.png")>]
let ``the read guard lets other absolute paths through`` (path: string) =
    Assert.Equal(Ok(), ReadGuard.check guard path)

[<Property>]
let ``normalizing a path is idempotent and leaves no . or .. segment`` () =
    Prop.forAll (Arb.fromGen (Gen.listOf (Gen.elements [ "a"; "."; ".."; ""; "b.png" ]))) (fun parts ->
        let path = "/" + String.concat "/" parts

        match ReadGuard.normalize path with
        | Some once ->
            ReadGuard.normalize once = Some once
            && not (once.Split('/') |> Array.exists (fun s -> s = "." || s = ".."))
        | None -> false)

// ---------------------------------------------------------------- capabilities

let limits =
    [
        "xai", "grok-imagine-image", 3, false
        "openai", "gpt-image-2-medium", 16, true
        "openai", "gpt-image-1", 16, true
        "openai-codex", "gpt-image-2-low", 16, true
        "gemini", "gemini-3.1-flash-image", 3, false
        "gemini", "gemini-3.1-flash-lite-image", 3, false
        "gemini", "gemini-3-pro-image", 14, false
        "fal", "fal-ai/flux-2/klein/9b", 9, false
        "fal", "fal-ai/flux-2-pro", 9, false
        "fal", "fal-ai/nano-banana-pro", 2, false
        "fal", "fal-ai/gpt-image-1.5", 16, false
        "fal", "fal-ai/gpt-image-2", 16, true
        "fal", "fal-ai/ideogram/v3", 1, false
        "fal", "fal-ai/qwen-image", 3, false
        "fal", "xai/grok-imagine-image/v2.0/text-to-image", 3, false
    ]

[<Property>]
let ``each model takes 1 to its limit of sources and refuses one more, naming the limit`` () =
    Prop.forAll (Arb.fromGen (Gen.elements limits)) (fun (provider, model, max, mask) ->
        let within = [ 1..max ] |> List.forall (fun n -> EditCapability.check provider model n false = Ok())
        let over = EditCapability.check provider model (max + 1) false

        within
        && (match over with
            | Error message -> message.Contains(sprintf "at most %d source image" max) && message.Contains model
            | Ok() -> false)
        && (EditCapability.check provider model 1 true |> Result.isOk) = mask)

[<Fact>]
let ``FAL edit endpoints are the catalog's: edits.md's eight with their limits, gpt-image-2's with a mask`` () =
    let endpoint id =
        (FalCatalog.tryModel id).Value.Edit
        |> Option.map (fun e -> e.Endpoint, e.MaxSources, e.Mask)

    Assert.Equal(Some("fal-ai/flux-2/klein/9b/edit", 9, false), endpoint "fal-ai/flux-2/klein/9b")
    Assert.Equal(Some("fal-ai/flux-2-pro/edit", 9, false), endpoint "fal-ai/flux-2-pro")
    Assert.Equal(Some("fal-ai/nano-banana-pro/edit", 2, false), endpoint "fal-ai/nano-banana-pro")
    Assert.Equal(Some("fal-ai/gpt-image-1.5/edit", 16, false), endpoint "fal-ai/gpt-image-1.5")
    Assert.Equal(Some("openai/gpt-image-2/edit", 16, true), endpoint "fal-ai/gpt-image-2")
    Assert.Equal(Some("fal-ai/ideogram/v3/edit", 1, false), endpoint "fal-ai/ideogram/v3")
    Assert.Equal(Some("fal-ai/qwen-image-2/pro/edit", 3, false), endpoint "fal-ai/qwen-image")
    Assert.Equal(Some("xai/grok-imagine-image/v2.0/edit", 3, false), endpoint "xai/grok-imagine-image/v2.0/text-to-image")
    Assert.Equal(None, endpoint "fal-ai/z-image/turbo")

[<Fact>]
let ``a model that cannot edit, a mask where none is taken and a mask without a source are refused`` () =
    let noEdit = expectError (EditCapability.check "fal" "fal-ai/z-image/turbo" 1 false)
    Assert.Contains("cannot edit images", noEdit)
    Assert.Contains("fal-ai/flux-2/klein/9b", noEdit)
    Assert.Contains("takes no mask", expectError (EditCapability.check "xai" "grok-imagine-image" 1 true))
    Assert.Contains("without a source image", expectError (EditCapability.check "openai" "gpt-image-2-low" 0 true))
    Assert.Contains("cannot edit", expectError (EditCapability.check "stability" "x" 1 false))
    Assert.Equal(Ok(), EditCapability.check "fal" "fal-ai/z-image/turbo" 0 false)

[<Fact>]
let ``xAI edits with the chosen model only when the live catalog says it takes images, else the quality model`` () =
    Assert.Equal("grok-imagine-image-2.0", EditCapability.xaiEditModel "grok-imagine-image-2.0" (Some true))
    Assert.Equal(XaiModels.qualityModel, EditCapability.xaiEditModel "grok-imagine-image" (Some false))
    Assert.Equal(XaiModels.qualityModel, EditCapability.xaiEditModel "grok-imagine-image" None)

// ---------------------------------------------------------------- OpenAI sizes

[<Theory>]
[<InlineData(null, "size must be a string like '1024x1024' or 'auto'")>]
[<InlineData("1024", "size must be 'auto' or '<width>x<height>'")>]
[<InlineData("1024x", "size width and height must be positive integers")>]
[<InlineData("-16x1024", "size width and height must be positive integers")>]
[<InlineData("0x1024", "size width and height must be positive")>]
[<InlineData("1000x1000", "size width and height must be multiples of 16")>]
[<InlineData("3840x1280", "size max edge must be less than 3840")>]
[<InlineData("3200x1024", "size aspect ratio must be <= 3:1")>]
[<InlineData("512x512", "size total pixels must be between 655360 and 8294400")>]
[<InlineData("99999999999999999984x16", "size max edge must be less than 3840")>]
let ``each of the eight gpt-image-2 size rules refuses with its message and the value`` (given: string, rule: string) =
    let error = expectError (OpenAiSize.validate given)
    Assert.EndsWith(rule, error)
    Assert.StartsWith("invalid size '", error)

[<Property>]
let ``a size is valid exactly when it meets all eight rules`` () =
    Prop.forAll (Arb.fromGen (Gen.zip (Gen.choose (1, 300)) (Gen.choose (1, 300)))) (fun (a, b) ->
        let w, h = a * 16, b * 16
        let long, short = max w h, min w h

        let expected =
            long < 3840
            && long <= 3 * short
            && int64 w * int64 h >= 655_360L
            && int64 w * int64 h <= 8_294_400L

        let result = OpenAiSize.validate (sprintf "%dx%d" w h)
        (result = Ok(OpenAiSize.Exact(w, h))) = expected && (Result.isOk result || not expected))

[<Fact>]
let ``auto and the three aspect sizes are valid`` () =
    Assert.Equal(Ok OpenAiSize.Auto, OpenAiSize.validate " AUTO ")

    for size in [ "1024x1024"; "1536x1024"; "1024x1536" ] do
        Assert.Equal(size, OpenAiSize.toWire (expectOk (OpenAiSize.validate size)))

// ---------------------------------------------------------------- mask

[<Fact>]
let ``a mask must be a PNG with alpha of the first image's size`` () =
    let first = infoOf (pngImage 64 48 2)
    Assert.Equal(Ok(), MaskRule.check first (infoOf (pngImage 64 48 6)))
    Assert.Equal(Ok(), MaskRule.check first (infoOf (pngImage 64 48 4)))
    Assert.Contains("it is a JPG image", expectError (MaskRule.check first (infoOf [| 0xFFuy; 0xD8uy; 0xFFuy; 0xE0uy |])))
    Assert.Contains("no alpha channel", expectError (MaskRule.check first (infoOf (pngImage 64 48 2))))
    Assert.Contains("it is 32x48 but the first source image is 64x48", expectError (MaskRule.check first (infoOf (pngImage 32 48 6))))

[<Property>]
let ``a mask of any other size is refused, naming both sizes`` () =
    Prop.forAll (Arb.fromGen (Gen.zip (Gen.choose (1, 5000)) (Gen.choose (1, 5000)))) (fun (w, h) ->
        let first = infoOf (pngImage 1024 1024 2)
        let result = MaskRule.check first (infoOf (pngImage w h 6))

        if w = 1024 && h = 1024 then
            result = Ok()
        else
            match result with
            | Error message -> message.Contains(sprintf "%dx%d" w h) && message.Contains "1024x1024"
            | Ok() -> false)

// ---------------------------------------------------------------- request builders

[<Fact>]
let ``xAI edit JSON: one source as image, two or three as images, never aspect_ratio or resolution`` () =
    let one = EditRequests.xai "grok-imagine-image-quality" "make it blue" OutputControls.none [ "https://x/a.png" ]

    Assert.Equal(
        """{"model":"grok-imagine-image-quality","prompt":"make it blue","image":{"url":"https://x/a.png","type":"image_url"}}""",
        one.ToJsonString()
    )

    let three =
        EditRequests.xai "m" "p" OutputControls.none [ "https://x/a.png"; "data:image/png;base64,AAAA"; "https://x/c.png" ]

    Assert.Equal(
        """{"model":"m","prompt":"p","images":[{"url":"https://x/a.png","type":"image_url"},{"url":"data:image/png;base64,AAAA","type":"image_url"},{"url":"https://x/c.png","type":"image_url"}]}""",
        three.ToJsonString()
    )

    Assert.DoesNotContain("aspect_ratio", three.ToJsonString())
    Assert.DoesNotContain("resolution", three.ToJsonString())

[<Property>]
let ``OpenAI edit parts: model and prompt, one image[] per source in order, the mask, then the options; never response_format`` () =
    Prop.forAll
        (Arb.fromGen (Gen.zip3 (Gen.choose (1, 16)) (Gen.elements [ true; false ]) (Gen.elements [ None; Some "high"; Some "low" ])))
        (fun (n, mask, fidelity) ->
            let parts =
                EditRequests.openAi (OpenAiModel.Tier Tier.High) "p" AspectRatio.Square n mask { OutputControls.none with Format = Some "webp" } fidelity

            let expected =
                [
                    FormPart.Field("model", "gpt-image-2")
                    FormPart.Field("prompt", "p")
                    for i in 0 .. n - 1 do
                        FormPart.File("image[]", FormFile.Source i)
                    if mask then
                        FormPart.File("mask", FormFile.Mask)
                    FormPart.Field("size", "1024x1024")
                    FormPart.Field("quality", "high")
                    FormPart.Field("n", "1")
                    FormPart.Field("output_format", "webp")
                    match fidelity with
                    | Some f -> FormPart.Field("input_fidelity", f)
                    | None -> ()
                ]

            parts = expected
            && parts
               |> List.forall (function
                   | FormPart.Field(name, _)
                   | FormPart.File(name, _) -> name <> "response_format"))

[<Fact>]
let ``input fidelity is high or low`` () =
    Assert.Equal(Ok "high", EditRequests.inputFidelity "high")
    Assert.Equal("invalid input fidelity 'max': allowed values are high, low", (expectError (EditRequests.inputFidelity "max")).Message)

[<Fact>]
let ``Codex edit: input_image parts after the input_text, the mask on the tool, partial_images 0 and no tool_choice`` () =
    let body =
        EditRequests.codex Tier.Medium "p" AspectRatio.Landscape OutputControls.none [ "https://x/a.png"; "data:image/png;base64,AAAA" ] (Some "data:image/png;base64,BBBB")

    let content = body["input"].[0].["content"].AsArray()

    Assert.Equal(
        """[{"type":"input_text","text":"p"},{"type":"input_image","image_url":"https://x/a.png"},{"type":"input_image","image_url":"data:image/png;base64,AAAA"}]""",
        content.ToJsonString()
    )

    let tool = body["tools"].[0]
    Assert.Equal("""{"image_url":"data:image/png;base64,BBBB"}""", tool["input_image_mask"].ToJsonString())
    Assert.Equal(0, tool["partial_images"].GetValue<int>())
    Assert.False(body.ContainsKey "tool_choice")

    let plain = EditRequests.codex Tier.Medium "p" AspectRatio.Landscape OutputControls.none [] None
    Assert.Equal((Requests.codex Tier.Medium "p" AspectRatio.Landscape OutputControls.none).ToJsonString(), plain.ToJsonString())

[<Property>]
let ``FAL edit bodies carry image_urls and only keys the edit endpoint takes`` () =
    let editable = FalCatalog.models |> List.filter (fun m -> m.Edit.IsSome)

    Prop.forAll (Arb.fromGen (Gen.zip (Gen.elements editable) (Gen.elements AspectRatio.all))) (fun (model, aspect) ->
        let edit = model.Edit.Value
        let overrides = { FalPayload.noOverrides with Seed = Some 7 }

        let body =
            EditRequests.fal model edit " p " aspect overrides [ "https://x/a.png"; "data:image/png;base64,AAAA" ] (Some "data:image/png;base64,BBBB")

        let keys = body |> Seq.map _.Key |> List.ofSeq

        body["image_urls"].ToJsonString() = """["https://x/a.png","data:image/png;base64,AAAA"]"""
        && body["prompt"].GetValue<string>() = "p"
        && keys |> List.forall (fun k -> k = "prompt" || List.contains k edit.Supports)
        && body.ContainsKey "mask_image_url" = edit.Mask
        && (body.ContainsKey "image_size" = List.contains "image_size" edit.Supports))

[<Property>]
let ``a part's file name keeps the source's safe stem and takes its real format's extension`` () =
    let formats = [ ImageFormat.Png; ImageFormat.Jpeg; ImageFormat.Webp; ImageFormat.Gif ]

    Prop.forAll (Arb.fromGen (Gen.zip (Gen.elements formats) (ArbMap.defaults |> ArbMap.generate<string>))) (fun (format, name) ->
        let safeName = if isNull name then "" else name

        let fromPath =
            EditRequests.fileName (ImageSource.LocalPath("/p/" + safeName + ".xyz")) format "image-1"

        let fromData =
            EditRequests.fileName (ImageSource.DataUrl "data:image/png;base64,AA") format "image-2"

        fromPath.EndsWith("." + ImageHeader.extension format)
        && fromPath |> String.forall (fun c -> Char.IsAsciiLetterOrDigit c || c = '.' || c = '-' || c = '_')
        && fromData = "image-2." + ImageHeader.extension format)

[<Fact>]
let ``a URL source's file name is its last path segment`` () =
    Assert.Equal(
        "cat.jpg",
        EditRequests.fileName (ImageSource.Remote "https://cdn.example/a/cat.png?sig=1") ImageFormat.Jpeg "image-1"
    )

    Assert.Equal("image-1.png", EditRequests.fileName (ImageSource.Remote "https://cdn.example") ImageFormat.Png "image-1")
