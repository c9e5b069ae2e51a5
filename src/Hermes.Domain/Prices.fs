namespace Hermes.Domain

open System
open System.Globalization

/// A price as the reference's catalog row publishes it.
[<RequireQualifiedAccess>]
type Price =
    | PerImage of usd: decimal
    /// Per megapixel (10^6 pixels) of the requested size.
    | PerMegapixel of usd: decimal

/// What a plan is expected to cost.
[<RequireQualifiedAccess>]
type Estimate =
    | Usd of decimal
    /// No published price applies; the reason says why.
    | Unknown of reason: string

/// Prices as data: only the numbers the reference's FAL catalog rows publish (ref-fal-dispatch.md §3.4); every
/// other provider and model is unknown (xAI rows carry no price, the OpenAI and Codex tiers say "varies").
module Prices =

    /// The reference's price strings as numbers; a range ("$0.04–0.06/image") counts at its upper bound so a
    /// --max-cost check never undercounts, and Krea counts its text-only price (Hermes sends no style references).
    let fal: (string * Price) list =
        [
            "fal-ai/flux-2/klein/9b", Price.PerMegapixel 0.006m
            "fal-ai/flux-2-pro", Price.PerMegapixel 0.03m
            "fal-ai/z-image/turbo", Price.PerMegapixel 0.005m
            "fal-ai/nano-banana-pro", Price.PerImage 0.15m
            "fal-ai/gpt-image-1.5", Price.PerImage 0.034m
            "fal-ai/gpt-image-2", Price.PerImage 0.06m
            "fal-ai/ideogram/v3", Price.PerImage 0.09m
            "fal-ai/recraft/v4/pro/text-to-image", Price.PerImage 0.25m
            "fal-ai/qwen-image", Price.PerMegapixel 0.02m
            "fal-ai/krea/v2/medium/text-to-image", Price.PerImage 0.030m
            "fal-ai/krea/v2/large/text-to-image", Price.PerImage 0.060m
        ]

    /// FAL's size presets in pixels (the reference names 16:9 as 1024x576 and 4:3 as 1024x768).
    let private presets =
        [
            "square_hd", (1024, 1024)
            "landscape_16_9", (1024, 576)
            "portrait_16_9", (576, 1024)
            "landscape_4_3", (1024, 768)
            "portrait_4_3", (768, 1024)
        ]

    let private literal (text: string) =
        match text.Split 'x' with
        | [| w; h |] ->
            match Int32.TryParse w, Int32.TryParse h with
            | (true, w), (true, h) -> Some(w, h)
            | _ -> None
        | _ -> None

    /// The pixels a FAL model is asked for at this aspect, when the request names them.
    let falPixels (model: FalModel) (aspect: AspectRatio) : int option =
        match FalPayload.size model aspect FalPayload.noOverrides with
        | _, FalParam.Dimensions(w, h) -> Some(w * h)
        | _, FalParam.Text name ->
            presets
            |> List.tryFind (fst >> (=) name)
            |> Option.map snd
            |> Option.orElse (literal name)
            |> Option.map (fun (w, h) -> w * h)
        | _ -> None

    /// The estimate of one image of this provider and model; edits and upscaled models have no published price.
    let perImage (provider: string) (model: string) (aspect: AspectRatio) (isEdit: bool) : Estimate =
        let unpublished =
            Estimate.Unknown $"no published price for {provider} · {model}"

        match provider, List.tryFind (fst >> (=) model) fal, FalCatalog.tryModel model with
        | "fal", Some _, Some _ when isEdit -> Estimate.Unknown $"no published price for edits with {model}"
        | "fal", Some _, Some entry when entry.Upscale ->
            Estimate.Unknown $"{model} is chained through {FalPayload.upscalerModel}, whose price is not published"
        | "fal", Some(_, Price.PerImage usd), Some _ -> Estimate.Usd usd
        | "fal", Some(_, Price.PerMegapixel usd), Some entry ->
            match falPixels entry aspect with
            | Some pixels -> Estimate.Usd(usd * decimal pixels / 1000000m)
            | None -> unpublished
        | _ -> unpublished

    /// The estimate of `count` images.
    let total (count: int) (each: Estimate) =
        match each with
        | Estimate.Usd usd -> Estimate.Usd(usd * decimal count)
        | unknown -> unknown

    /// "$0.0035": dollars with up to four decimals, never rounded down to zero.
    let show (usd: decimal) =
        let rounded = Math.Round(usd, 4, MidpointRounding.AwayFromZero)
        let shown = if rounded = 0m && usd > 0m then 0.0001m else rounded
        "$" + shown.ToString("0.####", CultureInfo.InvariantCulture)

    /// `--max-cost`: an amount of US dollars above 0, with or without a leading '$'.
    let parseUsd (field: string) (text: string) : Result<decimal, string> =
        let trimmed = (if isNull text then "" else text).Trim().TrimStart('$')

        match Decimal.TryParse(trimmed, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture) with
        | true, usd when usd > 0m -> Ok usd
        | _ -> Error $"invalid {field} '{text}': allowed is an amount of US dollars above 0, e.g. 0.50"

    /// Whether a plan may run under a limit: a known estimate at most the limit; an unknown one only when allowed.
    let withinLimit (limit: decimal) (allowUnknown: bool) (estimate: Estimate) : Result<unit, string> =
        match estimate with
        | Estimate.Usd usd when usd <= limit -> Ok()
        | Estimate.Usd usd -> Error $"the estimated cost {show usd} exceeds --max-cost {show limit}; nothing was sent"
        | Estimate.Unknown _ when allowUnknown -> Ok()
        | Estimate.Unknown reason ->
            Error(
                sprintf
                    "the cost is unknown (%s), so --max-cost %s cannot be checked; nothing was sent (add --allow-unknown-cost to run anyway)"
                    reason
                    (show limit)
            )
