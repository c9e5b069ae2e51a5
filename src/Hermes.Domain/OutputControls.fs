namespace Hermes.Domain

open System

/// The per-call output controls a caller asked for, as given; None means not asked (edits.md "Per-call output controls").
type OutputRequest =
    {
        /// `auto` or `WxH`.
        Size: string option
        /// An exact ratio `W:H` (the named aspects travel as AspectRatio).
        Ratio: string option
        Quality: string option
        Format: string option
        Compression: int option
        Background: string option
        Moderation: string option
        Seed: int option
    }

/// The controls one provider puts on the wire, after that provider's validation; None leaves the builder's default.
type OutputControls =
    {
        /// OpenAI/Codex `size`: `auto` or `WxH`.
        OpenAiSize: string option
        /// xAI, Gemini and FAL aspect_ratio field: a ratio such as `4:3`.
        AspectRatio: string option
        /// xAI `resolution` derived from an exact size.
        Resolution: Resolution option
        /// Gemini imageConfig `imageSize` derived from an exact size.
        GeminiImageSize: string option
        /// FAL `image_size {width,height}`.
        Dimensions: (int * int) option
        Quality: string option
        Format: string option
        Compression: int option
        Background: string option
        Moderation: string option
        Seed: int option
        /// How many images this one request asks for (OpenAI/xAI `n`, FAL `num_images`); 1 unless a count runs natively.
        Images: int
        /// What the result reports about the mapping (e.g. the size asked for when the nearest supported one was sent).
        Extras: (string * string) list
    }

/// A `size` that also takes xAI's resolution names (the MCP tool's `size`): which of the two it is.
[<RequireQualifiedAccess>]
type SizeOrResolution =
    /// 1k or 2k: xAI's resolution, which the other providers ignore (as `--resolution`).
    | Resolution of Resolution
    /// `auto` or `WxH`: the output control `--size`, checked per provider by forProvider.
    | Size of string

/// Which provider takes which control, and how; one validation per provider, all before any request.
module OutputControls =

    let nothingAsked: OutputRequest =
        {
            Size = None
            Ratio = None
            Quality = None
            Format = None
            Compression = None
            Background = None
            Moderation = None
            Seed = None
        }

    /// No control: every builder sends what it sent before controls existed.
    let none: OutputControls =
        {
            OpenAiSize = None
            AspectRatio = None
            Resolution = None
            GeminiImageSize = None
            Dimensions = None
            Quality = None
            Format = None
            Compression = None
            Background = None
            Moderation = None
            Seed = None
            Images = 1
            Extras = []
        }

    let qualities = [ "low"; "medium"; "high"; "auto" ]
    let formats = [ "png"; "jpeg"; "webp" ]
    let backgrounds = [ "transparent"; "opaque"; "auto" ]
    let moderations = [ "low"; "auto" ]

    let xaiRatios =
        [ "1:1"; "16:9"; "9:16"; "4:3"; "3:4"; "3:2"; "2:3"; "2:1"; "1:2"; "20:9"; "9:20"; "19.5:9"; "9:19.5"; "auto" ]

    /// Gemini's imageConfig aspect ratios (more-providers.md); FAL's aspect_ratio models (Nano Banana) take the same.
    let geminiRatios =
        [ "1:1"; "2:3"; "3:2"; "3:4"; "4:3"; "4:5"; "5:4"; "9:16"; "16:9"; "21:9" ]

    let private openAiFamily = [ "openai"; "openai-codex" ]

    let private cleaned (text: string) =
        TerminalText.sanitizeWith 40 (if isNull text then "" else text)

    let private pick (field: string) (allowed: string list) (text: string) : Result<string, string> =
        let given = if isNull text then "" else text.Trim().ToLowerInvariant()
        let given = if field = "output format" && given = "jpg" then "jpeg" else given

        if List.contains given allowed then
            Ok given
        else
            Error(sprintf "invalid %s '%s': allowed values are %s" field (cleaned text) (String.concat ", " allowed))

    let private positiveNumber (text: string) =
        match Double.TryParse(text, Globalization.NumberStyles.AllowDecimalPoint, Globalization.CultureInfo.InvariantCulture) with
        | true, value when value > 0.0 && not (Double.IsInfinity value) -> Some value
        | _ -> None

    /// `W:H` with positive numbers (decimals allowed, as in 19.5:9); the width over the height.
    let ratioValue (text: string) : float option =
        match (if isNull text then "" else text.Trim()).Split ':' with
        | [| w; h |] ->
            match positiveNumber w, positiveNumber h with
            | Some w, Some h -> Some(w / h)
            | _ -> None
        | _ -> None

    /// The named aspect nearest a width over height: wider is landscape, equal square, taller portrait.
    let namedAspect (widthOverHeight: float) =
        if widthOverHeight > 1.0 then AspectRatio.Landscape
        elif widthOverHeight < 1.0 then AspectRatio.Portrait
        else AspectRatio.Square

    /// `--aspect`: landscape, square, portrait, or a ratio `W:H` (which also stands for its nearest named aspect).
    let parseAspect (text: string) : Result<AspectRatio * string option, string> =
        match AspectRatio.parse text with
        | Ok named -> Ok(named, None)
        | Error bad ->
            match ratioValue text with
            | Some value -> Ok(namedAspect value, Some(text.Trim()))
            | None when text.Trim().ToLowerInvariant() = "auto" -> Ok(AspectRatio.defaultValue, Some "auto")
            | None -> Error $"{bad.Message}, auto, or a ratio W:H such as 4:3"

    /// `WxH` with positive integers, or None when it is not that shape.
    let dimensions (text: string) : (int * int) option =
        let given = if isNull text then "" else text.Trim().ToLowerInvariant()

        match given.Split 'x' with
        | [| w; h |] when w <> "" && h <> "" && Seq.forall Char.IsAsciiDigit (w + h) ->
            match Int32.TryParse w, Int32.TryParse h with
            | (true, w), (true, h) when w > 0 && h > 0 -> Some(w, h)
            | _ -> None
        | _ -> None

    /// The named aspect an exact size stands for when no aspect is given (auto or no size: the default).
    let aspectOfSize (size: string) =
        match dimensions size with
        | Some(w, h) -> namedAspect (float w / float h)
        | None -> AspectRatio.defaultValue

    let private notAuto (text: string) = text.Trim().ToLowerInvariant() <> "auto"

    /// 1k or 2k as xAI's resolution, auto or WxH as the size; anything else is refused naming every allowed form.
    let sizeOrResolution (text: string) : Result<SizeOrResolution, string> =
        match Resolution.parse text with
        | Ok resolution -> Ok(SizeOrResolution.Resolution resolution)
        | Error _ when not (notAuto text) -> Ok(SizeOrResolution.Size "auto")
        | Error _ when (dimensions text).IsSome -> Ok(SizeOrResolution.Size(text.Trim().ToLowerInvariant()))
        | Error _ ->
            Error(
                sprintf
                    "invalid size '%s': allowed values are auto, WxH such as 1024x1024, or xAI's resolution %s"
                    (cleaned text)
                    (Resolution.all |> List.map Resolution.toWire |> String.concat " or ")
            )

    /// The ratio of `choices` nearest width over height, on a log scale so 2:1 and 1:2 are equally far from 1:1.
    let nearestRatio (choices: string list) (width: int) (height: int) =
        let wanted = log (float width / float height)

        choices
        |> List.choose (fun r -> ratioValue r |> Option.map (fun v -> r, abs (log v - wanted)))
        |> List.minBy snd
        |> fst

    /// xAI resolution for an exact size: 2k once the long edge is nearer 2048 than 1024.
    let xaiResolution (width: int) (height: int) =
        if max width height > 1536 then Resolution.TwoK else Resolution.OneK

    /// Gemini imageSize for an exact size: the nearest of 1K, 2K and 4K; the lite model makes 1K only.
    let geminiImageSize (model: string) (width: int) (height: int) =
        let edge = max width height

        if model.Contains("lite", StringComparison.Ordinal) || edge <= 1536 then "1K"
        elif edge <= 3072 then "2K"
        else "4K"

    /// The one-line refusal of a control a provider does not take, naming the providers that do.
    let private notTaken (control: string) (value: string) (provider: string) (takers: string) =
        Error $"{control} '{cleaned value}' is not taken by {provider}; it is taken by {takers}"

    let private requireNone control (value: 'T option) (render: 'T -> string) provider takers =
        match value with
        | Some v -> notTaken control (render v) provider takers
        | None -> Ok()

    /// A control that is only a harmless default (auto) is dropped where the provider does not take it.
    let private requireAutoOrNone control (value: string option) provider takers =
        match value with
        | Some v when notAuto v -> notTaken control v provider takers
        | _ -> Ok()

    let private (>>=) (r: Result<'a, string>) (f: 'a -> Result<'b, string>) = Result.bind f r

    let private parsed field allowed (value: string option) =
        match value with
        | None -> Ok None
        | Some text -> pick field allowed text |> Result.map Some

    let private openAiTakers = "openai and openai-codex"
    let private seedTakers = "fal (models with a seed) and gemini"
    let private ratioTakers = "xai, gemini and fal models with an aspect_ratio field"

    /// The values every provider reads the same way: known words, compression 0-100, seed >= 0, and how they combine.
    let private common (request: OutputRequest) =
        parsed "quality" qualities request.Quality
        >>= fun quality ->
            parsed "output format" formats request.Format
            >>= fun format ->
                parsed "background" backgrounds request.Background
                >>= fun background ->
                    parsed "moderation" moderations request.Moderation
                    >>= fun moderation ->
                        match request.Compression, request.Seed with
                        | Some c, _ when c < 0 || c > 100 ->
                            Error $"invalid compression '{c}': allowed values are 0 to 100"
                        | _, Some s when s < 0 -> Error $"invalid seed '{s}': allowed values are 0 or more"
                        | Some c, _ when not (format = Some "jpeg" || format = Some "webp") ->
                            Error(
                                $"""compression '{c}' needs output format jpeg or webp (output format is {format |> Option.defaultValue "png by default"})"""
                            )
                        | _ when background = Some "transparent" && format = Some "jpeg" ->
                            Error "background 'transparent' needs output format png or webp (output format is jpeg)"
                        | _ ->
                            match request.Ratio with
                            | Some ratio when notAuto ratio && (ratioValue ratio).IsNone ->
                                Error $"invalid aspect ratio '{cleaned ratio}': allowed values are W:H such as 4:3"
                            | _ ->
                                Ok
                                    { none with
                                        Quality = quality
                                        Format = format
                                        Compression = request.Compression
                                        Background = background
                                        Moderation = moderation
                                        Seed = request.Seed
                                    }

    /// An exact size other than auto, for the providers that map it; the error names the shape allowed.
    let private exact (request: OutputRequest) : Result<(int * int) option, string> =
        match request.Size |> Option.filter notAuto with
        | None -> Ok None
        | Some size ->
            match dimensions size with
            | Some wh -> Ok(Some wh)
            | None -> Error $"invalid size '{cleaned size}': allowed values are auto or WxH such as 1024x1024"

    let private sizeText (w, h) = $"{w}x{h}"

    /// A ratio from `allowed`, trimmed; the error names the provider's list.
    let private ratioFrom (provider: string) (allowed: string list) (ratio: string) =
        let given = ratio.Trim()

        if List.contains given allowed then
            Ok given
        else
            Error(
                sprintf "invalid aspect ratio '%s' for %s: allowed values are %s" (cleaned ratio) provider (String.concat ", " allowed)
            )

    /// OpenAI and Codex take every control but a ratio and a seed; the size follows the gpt-image-2 rules.
    let private openAi (provider: string) (request: OutputRequest) (controls: OutputControls) =
        requireNone "aspect ratio" request.Ratio id provider (ratioTakers + "; give an exact size WxH instead")
        >>= fun () ->
            requireNone "seed" request.Seed string provider seedTakers
            >>= fun () ->
                match request.Size with
                | None -> Ok controls
                | Some size ->
                    OpenAiSize.validate size
                    |> Result.map (fun valid ->
                        { controls with
                            OpenAiSize = Some(OpenAiSize.toWire valid)
                        })

    /// Refuses, for a provider outside the OpenAI family, every control only OpenAI and Codex take (auto excepted).
    let private refuseOpenAiOnly (provider: string) (controls: OutputControls) (request: OutputRequest) =
        requireAutoOrNone "quality" request.Quality provider openAiTakers
        >>= fun () ->
            requireNone "output format" controls.Format id provider (openAiTakers + " and fal")
            >>= fun () ->
                requireNone "compression" controls.Compression string provider openAiTakers
                >>= fun () ->
                    requireAutoOrNone "background" request.Background provider openAiTakers
                    >>= fun () -> requireAutoOrNone "moderation" request.Moderation provider openAiTakers

    /// xAI takes an exact size as its nearest ratio and resolution, and its own ratio list; the quality is a model.
    let private xai (isEdit: bool) (request: OutputRequest) (controls: OutputControls) =
        let quality =
            match request.Quality with
            | Some q when notAuto q ->
                Error(
                    sprintf
                        "quality '%s' is not taken by xai; it is taken by %s (on xai choose the model %s)"
                        (cleaned q)
                        openAiTakers
                        XaiModels.qualityModel
                )
            | _ -> Ok()

        quality
        >>= fun () ->
            refuseOpenAiOnly "xai" controls { request with Quality = None }
            >>= fun () ->
                requireNone "seed" request.Seed string "xai" seedTakers
                >>= fun () ->
                    exact request
                    >>= fun size ->
                    match isEdit, size, request.Ratio with
                    | true, Some size, _ -> notTaken "size" (sizeText size) "xai edits" "xai text-to-image"
                    | true, None, Some ratio -> notTaken "aspect ratio" ratio "xai edits" "xai text-to-image"
                    | _, Some(w, h), _ ->
                        let ratio = nearestRatio (xaiRatios |> List.filter ((<>) "auto")) w h
                        let resolution = xaiResolution w h

                        Ok
                            { controls with
                                AspectRatio = Some ratio
                                Resolution = Some resolution
                                Extras = [ "requested_size", sizeText (w, h) ]
                            }
                    | _, None, Some ratio ->
                        ratioFrom "xai" xaiRatios ratio
                        |> Result.map (fun r -> { controls with AspectRatio = Some r })
                    | _, None, None -> Ok controls

    /// Gemini takes an exact size as its nearest ratio and imageSize, its own ratio list, and a seed.
    let private gemini (model: string) (request: OutputRequest) (controls: OutputControls) =
        refuseOpenAiOnly "gemini" controls request
        >>= fun () ->
            exact request
            >>= fun size ->
            match size, request.Ratio with
            | Some(w, h), _ ->
                Ok
                    { controls with
                        AspectRatio = Some(nearestRatio geminiRatios w h)
                        GeminiImageSize = Some(geminiImageSize model w h)
                        Extras = [ "requested_size", sizeText (w, h) ]
                    }
            | None, Some ratio ->
                ratioFrom "gemini" geminiRatios ratio
                |> Result.map (fun r -> { controls with AspectRatio = Some r })
            | None, None -> Ok controls

    /// FAL: a control reaches the payload only where the endpoint's accepted keys name it (catalog data).
    let private fal (model: FalModel option) (isEdit: bool) (request: OutputRequest) (controls: OutputControls) =
        let supports =
            match model with
            | Some m when isEdit -> m.Edit |> Option.map _.Supports |> Option.defaultValue m.Supports
            | Some m -> m.Supports
            | None -> []

        let modelId =
            model |> Option.map _.Info.Id |> Option.defaultValue "this FAL model"

        let where (key: string) = List.contains key supports
        let here = $"fal model {modelId}"

        let keyed control (value: string option) key takers =
            match value with
            | Some v when not (where key) -> notTaken control v here takers
            | _ -> Ok()

        let takesSize =
            supports |> List.contains "image_size"
            && model
               |> Option.exists (fun m ->
                   match m.Size with
                   | FalSize.Preset _
                   | FalSize.Dimensions _ -> true
                   | FalSize.Literal _
                   | FalSize.AspectRatioField -> false)

        let takesRatio = where "aspect_ratio"

        keyed "quality" (request.Quality |> Option.filter notAuto) "quality" openAiTakers
        >>= fun () ->
            keyed "output format" controls.Format "output_format" openAiTakers
            >>= fun () ->
                keyed "background" (request.Background |> Option.filter notAuto) "background" openAiTakers
                >>= fun () ->
                    requireNone "compression" controls.Compression string here openAiTakers
                    >>= fun () ->
                        requireAutoOrNone "moderation" request.Moderation here openAiTakers
                        >>= fun () ->
                            keyed "seed" (request.Seed |> Option.map string) "seed" seedTakers
                            >>= fun () ->
                                let controls =
                                    { controls with
                                        Quality = controls.Quality |> Option.filter ((<>) "auto")
                                        Background = controls.Background |> Option.filter ((<>) "auto")
                                        Moderation = None
                                    }

                                exact request
                                >>= fun size ->
                                match size, request.Ratio with
                                | Some(w, h), _ when takesSize -> Ok { controls with Dimensions = Some(w, h) }
                                | Some(w, h), _ when takesRatio ->
                                    Ok
                                        { controls with
                                            AspectRatio = Some(nearestRatio geminiRatios w h)
                                            Extras = [ "requested_size", sizeText (w, h) ]
                                        }
                                // a model with only its own size literals gets the nearest named aspect's
                                | Some(w, h), _ ->
                                    Ok
                                        { controls with
                                            Extras = [ "requested_size", sizeText (w, h) ]
                                        }
                                | None, Some ratio when takesRatio ->
                                    ratioFrom here geminiRatios ratio
                                    |> Result.map (fun r -> { controls with AspectRatio = Some r })
                                | None, Some ratio -> notTaken "aspect ratio" ratio here ratioTakers
                                | None, None -> Ok controls

    /// The controls `provider` puts on the wire for `model`, or the one-line error naming the value and what is allowed.
    let forProvider (provider: string) (model: string) (isEdit: bool) (request: OutputRequest) : Result<OutputControls, string> =
        // a ratio of auto is xAI's own value and a harmless default everywhere else
        let request =
            if provider <> "xai" && request.Ratio |> Option.exists (notAuto >> not) then
                { request with Ratio = None }
            else
                request

        common request
        >>= fun controls ->
            match provider with
            | p when List.contains p openAiFamily -> openAi p request controls
            | "xai" -> xai isEdit request controls
            | "gemini" -> gemini model request controls
            | "fal" -> fal (FalCatalog.tryModel model) isEdit request controls
            | other ->
                // A provider Hermes does not know the controls of takes none of them beyond the harmless defaults.
                exact request
                >>= fun size ->
                requireNone "size" size sizeText other "openai, openai-codex, xai, gemini and fal"
                >>= fun () ->
                    requireNone "aspect ratio" request.Ratio id other ratioTakers
                    >>= fun () ->
                        requireNone "seed" request.Seed string other seedTakers
                        >>= fun () -> refuseOpenAiOnly other controls request |> Result.map (fun () -> none)
