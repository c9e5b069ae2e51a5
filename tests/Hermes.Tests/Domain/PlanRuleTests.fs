/// The pure rules behind --dry-run, --max-cost, --preview and `hermes batch`: prices, the request preview, the terminal
/// graphics protocols, batch lines and the results file.
module Hermes.Tests.Domain.PlanRuleTests

open System
open System.Text.Json.Nodes
open Xunit
open FsCheck
open FsCheck.FSharp
open FsCheck.Xunit
open Hermes.Domain

let private pricedFal = Prices.fal |> List.map fst

let private aspects = Gen.elements AspectRatio.all

[<Property>]
let ``every priced FAL model is in the catalog, and a plain generation of it has a known price above 0 unless it upscales`` () =
    Prop.forAll (Arb.fromGen (Gen.zip (Gen.elements pricedFal) aspects)) (fun (model, aspect) ->
        let entry = (FalCatalog.tryModel model).Value

        match Prices.perImage "fal" model aspect false with
        | Estimate.Usd usd -> not entry.Upscale && usd > 0m
        | Estimate.Unknown _ -> entry.Upscale)

[<Property>]
let ``no price is invented: other providers, unpriced FAL models and every edit are unknown`` () =
    let unpricedFal =
        FalCatalog.catalog.Models
        |> List.map _.Id
        |> List.filter (fun id -> not (List.contains id pricedFal))

    let cases =
        Gen.oneof
            [
                Gen.zip
                    (Gen.elements [ "xai"; "openai"; "openai-codex"; "gemini"; "my-endpoint" ])
                    (Gen.elements [ "gpt-image-2-medium"; "grok-imagine-image"; "fal-ai/gpt-image-1.5" ])
                |> Gen.map (fun (p, m) -> p, m, false)
                Gen.elements unpricedFal |> Gen.map (fun m -> "fal", m, false)
                Gen.elements pricedFal |> Gen.map (fun m -> "fal", m, true)
            ]

    Prop.forAll (Arb.fromGen (Gen.zip cases aspects)) (fun ((provider, model, isEdit), aspect) ->
        match Prices.perImage provider model aspect isEdit with
        | Estimate.Unknown reason -> reason.Contains model
        | Estimate.Usd _ -> false)

[<Fact>]
let ``a per-megapixel price counts the pixels of the size the request names`` () =
    // FLUX 2 Klein at $0.006/MP: square_hd is 1024x1024.
    Assert.Equal(Estimate.Usd(0.006m * 1048576m / 1000000m), Prices.perImage "fal" "fal-ai/flux-2/klein/9b" AspectRatio.Square false)
    Assert.Equal(Estimate.Usd 0.25m, Prices.perImage "fal" "fal-ai/recraft/v4/pro/text-to-image" AspectRatio.Portrait false)

[<Property>]
let ``the total is the price of one image times the count; unknown stays unknown`` (cents: PositiveInt) (count: PositiveInt) =
    let each = decimal cents.Get / 100m

    Prices.total count.Get (Estimate.Usd each) = Estimate.Usd(each * decimal count.Get)
    && Prices.total count.Get (Estimate.Unknown "x") = Estimate.Unknown "x"

[<Property>]
let ``--max-cost admits a known estimate at most the limit, and an unknown one only when allowed``
    (cents: PositiveInt)
    (limitCents: PositiveInt)
    (allow: bool)
    =
    let usd = decimal cents.Get / 100m
    let limit = decimal limitCents.Get / 100m

    Result.isOk (Prices.withinLimit limit allow (Estimate.Usd usd)) = (usd <= limit)
    && Result.isOk (Prices.withinLimit limit allow (Estimate.Unknown "no price")) = allow

[<Property>]
let ``--max-cost reads dollars with or without '$' and refuses anything else, naming the value`` (cents: PositiveInt) =
    let usd = decimal cents.Get / 100m
    let text = usd.ToString(Globalization.CultureInfo.InvariantCulture)

    Prices.parseUsd "--max-cost" text = Ok usd
    && Prices.parseUsd "--max-cost" ("$" + text) = Ok usd
    && (match Prices.parseUsd "--max-cost" ("-" + text) with
        | Error message -> message.Contains("'-" + text + "'") && message.Contains "US dollars"
        | Ok _ -> false)

[<Fact>]
let ``a price is shown with up to four decimals and never as $0`` () =
    Assert.Equal("$0.0035", Prices.show 0.003538944m)
    Assert.Equal("$0.0001", Prices.show 0.00001m)
    Assert.Equal("$0.25", Prices.show 0.25m)

let private input provider model sources mask =
    {
        Provider = provider
        Model = model
        Prompt = "a fox"
        Aspect = AspectRatio.Square
        Resolution = None
        SourceCount = sources
        HasMask = mask
        InputFidelity = None
        Controls = OutputControls.none
    }

let private body (preview: Result<RequestPreview, string>) =
    match preview with
    | Ok p -> p.Body.ToJsonString()
    | Error e -> failwith e

[<Fact>]
let ``the preview of a generation is the body the provider's own builder makes`` () =
    Assert.Equal(
        (Requests.xai "grok-imagine-image" "a fox" AspectRatio.Square Resolution.defaultValue None OutputControls.none).ToJsonString(),
        body (RequestPlan.preview (input "xai" "grok-imagine-image" 0 false))
    )

    Assert.Equal(
        (Requests.codex Tier.High "a fox" AspectRatio.Square OutputControls.none).ToJsonString(),
        body (RequestPlan.preview (input "openai-codex" "gpt-image-2-high" 0 false))
    )

    let klein = (FalCatalog.tryModel "fal-ai/flux-2/klein/9b").Value

    Assert.Equal(
        (FalPayload.build klein "a fox" AspectRatio.Square FalPayload.noOverrides).ToJsonString(),
        body (RequestPlan.preview (input "fal" "fal-ai/flux-2/klein/9b" 0 false))
    )

[<Property>]
let ``an edit preview stands each source in by number and reads nothing`` (sources: PositiveInt) =
    let n = min sources.Get 3

    let text =
        body (RequestPlan.preview (input "openai-codex" "gpt-image-2-medium" n true))

    let quoted (value: string) = JsonValue.Create(value).ToJsonString()

    [ 1..n ]
    |> List.forall (fun i -> text.Contains(quoted (RequestPlan.sourcePlaceholder i)))
    && text.Contains(quoted RequestPlan.maskPlaceholder)
    && not (text.Contains "base64")

[<Fact>]
let ``a provider without a builder (a configured endpoint) has no preview, and says so`` () =
    match RequestPlan.preview (input "my-endpoint" "m" 0 false) with
    | Error message -> Assert.Contains("my-endpoint", message)
    | Ok _ -> failwith "a preview for an unknown provider"

[<Fact>]
let ``kitty is detected from KITTY_WINDOW_ID, TERM=xterm-kitty or Ghostty; iTerm2 from TERM_PROGRAM; nothing else`` () =
    Assert.Equal(Some GraphicsProtocol.Kitty, TerminalGraphics.detect (Some "xterm-256color") None (Some "1"))
    Assert.Equal(Some GraphicsProtocol.Kitty, TerminalGraphics.detect (Some "xterm-kitty") None None)
    Assert.Equal(Some GraphicsProtocol.Kitty, TerminalGraphics.detect None (Some "ghostty") None)
    Assert.Equal(Some GraphicsProtocol.ITerm2, TerminalGraphics.detect (Some "xterm-256color") (Some "iTerm.app") None)
    Assert.Equal(Some GraphicsProtocol.ITerm2, TerminalGraphics.detect None (Some "WezTerm") None)
    Assert.Equal(None, TerminalGraphics.detect (Some "xterm-256color") (Some "Apple_Terminal") None)
    Assert.Equal(None, TerminalGraphics.detect None None (Some "  "))

[<Property>]
let ``kitty's sequence carries the PNG in chunks of at most 4096 that decode back to the image`` (bytes: byte[]) =
    match TerminalGraphics.sequence GraphicsProtocol.Kitty ImageFormat.Png bytes with
    | None -> false
    | Some drawn ->
        let chunks =
            drawn.TrimEnd('\n').Split("\u001b\\", StringSplitOptions.RemoveEmptyEntries)
            |> Array.map (fun c -> c.Substring(c.IndexOf ';' + 1))

        chunks |> Array.forall (fun c -> c.Length <= TerminalGraphics.kittyChunk)
        && Convert.FromBase64String(String.concat "" chunks) = bytes
        && drawn.StartsWith("\u001b_Ga=T,f=100,", StringComparison.Ordinal)

[<Fact>]
let ``kitty shows PNG only; iTerm2 any format, inline`` () =
    Assert.Equal(None, TerminalGraphics.sequence GraphicsProtocol.Kitty ImageFormat.Jpeg [| 1uy |])

    let drawn =
        (TerminalGraphics.sequence GraphicsProtocol.ITerm2 ImageFormat.Jpeg [| 1uy; 2uy |]).Value

    Assert.True(drawn.StartsWith("\u001b]1337;File=inline=1;size=2;", StringComparison.Ordinal))
    Assert.Contains(Convert.ToBase64String [| 1uy; 2uy |], drawn)

let private lineGen =
    gen {
        let! prompt = Gen.elements [ "a fox"; "a \"quoted\" owl"; "ünïcode" ]
        let! count = Gen.choose (1, BatchLines.maxCount)
        let! aspect = Gen.elements (AspectRatio.all |> List.map AspectRatio.toWire)
        let! id = Gen.elements [ None; Some "a-1" ]

        let o = JsonObject()
        o["prompt"] <- JsonValue.Create prompt
        o["count"] <- JsonValue.Create count
        o["aspect"] <- JsonValue.Create aspect

        match id with
        | Some i -> o["id"] <- JsonValue.Create i
        | None -> ()

        return o, prompt, count, aspect, id
    }

[<Property>]
let ``a batch line with known fields reads back as the request it states`` () =
    Prop.forAll (Arb.fromGen lineGen) (fun (o, prompt, count, aspect, id) ->
        match BatchLines.parse 7 (o.ToJsonString()) with
        | Ok r ->
            r.Line = 7
            && r.Prompt = prompt
            && r.Count = count
            && r.Aspect = Some aspect
            && r.Id = id
        | Error _ -> false)

[<Property>]
let ``a batch line with a field generate does not take is an error naming it`` () =
    Prop.forAll (Arb.fromGen (Gen.zip lineGen (Gen.elements [ "promt"; "sead"; "qualty"; "n" ]))) (fun ((o, _, _, _, _), extra) ->
        o[extra] <- JsonValue.Create 1

        match BatchLines.parse 1 (o.ToJsonString()) with
        | Error message -> message.Contains("'" + extra + "'") && message.Contains "allowed fields"
        | Ok _ -> false)

[<Theory>]
[<InlineData("not json", "not JSON")>]
[<InlineData("[1]", "not a JSON object")>]
[<InlineData("""{"count":2}""", "missing prompt")>]
[<InlineData("""{"prompt":"x","count":17}""", "invalid count '17'")>]
[<InlineData("""{"prompt":"x","aspect":"wide"}""", "invalid aspect ratio 'wide'")>]
[<InlineData("""{"prompt":"x","resolution":"4k"}""", "invalid resolution '4k'")>]
[<InlineData("""{"prompt":"x","image":"a.png","input_fidelity":"max"}""", "invalid input fidelity 'max'")>]
[<InlineData("""{"prompt":"x","mask":"m.png"}""", "'mask' needs an 'image'")>]
[<InlineData("""{"prompt":"x","timeout":0}""", "invalid timeout '0'")>]
[<InlineData("""{"prompt":"x","image":[1]}""", "'image' must be")>]
[<InlineData("""{"prompt":"x","prompt":"y"}""", "a field is repeated")>]
[<InlineData("""{"prompt":"x","output":"a\u0000b.png"}""", "'output' must be a path without control characters")>]
[<InlineData("""{"prompt":"x","image":"a.png","mask":"m\u0007.png"}""", "'mask' must be a path without control characters")>]
[<InlineData("""{"prompt":"x","image":["a.png","b\u0000.png"]}""", "'image' must be paths or URLs without control characters")>]
[<InlineData("""{"prompt":"x","seed":"lucky"}""", "invalid seed")>]
[<InlineData("""{"prompt":"x","compression":1.5}""", "invalid compression '1.5'")>]
[<InlineData("""{"prompt":"x","size":7}""", "'size' must be a string")>]
let ``a bad batch line is an error naming the value and what is allowed`` (line: string) (expected: string) =
    match BatchLines.parse 1 line with
    | Error message -> Assert.Contains(expected, message)
    | Ok _ -> failwithf "accepted %s" line

[<Fact>]
let ``a batch line carries generate's output controls as given; the provider's plan judges them`` () =
    let line =
        """{"prompt":"x","size":"1024x1536","quality":"high","format":"webp","compression":80,"background":"opaque","moderation":"low","seed":7}"""

    match BatchLines.parse 1 line with
    | Ok r ->
        Assert.Equal(Some "1024x1536", r.Controls.Size)
        Assert.Equal(Some "high", r.Controls.Quality)
        Assert.Equal(Some "webp", r.Controls.Format)
        Assert.Equal(Some 80, r.Controls.Compression)
        Assert.Equal(Some "opaque", r.Controls.Background)
        Assert.Equal(Some "low", r.Controls.Moderation)
        Assert.Equal(Some 7, r.Controls.Seed)
    | Error e -> failwithf "refused: %s" e

[<Fact>]
let ``a results line with a repeated field is skipped by --resume, not an error`` () =
    let results =
        """{"line":1,"status":"done"}""" + "\n" + """{"line":2,"line":3,"status":"done"}""" + "\n"

    Assert.Equal<Set<int>>(Set.ofList [ 1 ], BatchLines.finished results)

[<Fact>]
let ``image is one string or a list, and blank lines keep the numbering`` () =
    match BatchLines.parse 1 """{"prompt":"x","image":["a.png","b.png"]}""" with
    | Ok r -> Assert.Equal<string list>([ "a.png"; "b.png" ], r.Images)
    | Error e -> failwith e

    Assert.Equal<(int * string) list>([ 1, "a"; 3, "b" ], BatchLines.numbered "a\r\n\nb\n")

[<Fact>]
let ``--resume skips only the lines recorded as done; a cut-short results line is ignored`` () =
    let results =
        String.concat
            "\n"
            [
                """{"line":1,"id":null,"status":"done","images":["/a.png"]}"""
                """{"line":2,"id":null,"status":"failed","images":[]}"""
                """{"line":4,"status":"done"}"""
                """{"line":5,"status":"do"""
            ]

    Assert.Equal<Set<int>>(set [ 1; 4 ], BatchLines.finished results)

[<Property>]
let ``two lines sharing an output file are found, naming both lines; distinct files never are``
    (files: Set<NonEmptyString>)
    (pick: PositiveInt)
    =
    let names = files |> Set.toList |> List.map _.Get
    let numbered = names |> List.mapi (fun i f -> i + 1, [ f ])

    BatchLines.sharedOutput numbered = None
    && (names.IsEmpty
        || (let i = pick.Get % names.Length
            BatchLines.sharedOutput (numbered @ [ 99, [ names[i] ] ]) = Some(i + 1, 99, names[i])))
