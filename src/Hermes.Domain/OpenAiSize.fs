namespace Hermes.Domain

open System.Numerics

/// An exact gpt-image-2 size, or `auto` (the model picks).
[<RequireQualifiedAccess>]
type OpenAiSize =
    | Auto
    | Exact of width: int * height: int

/// The eight gpt-image-2 size rules of ref-providers.md §2, checked in order before any call.
module OpenAiSize =

    let minPixels = 655_360L
    let maxPixels = 8_294_400L

    /// The longest edge must be strictly below this.
    let maxEdge = 3840

    let private isDigits (text: string) =
        text <> "" && text |> String.forall (fun c -> c >= '0' && c <= '9')

    let toWire =
        function
        | OpenAiSize.Auto -> "auto"
        | OpenAiSize.Exact(w, h) -> $"{w}x{h}"

    /// `auto` or `<width>x<height>`; the error names the value and the rule it breaks.
    let validate (text: string) : Result<OpenAiSize, string> =
        let fail (rule: string) =
            Error(sprintf "invalid size '%s': %s" (TerminalText.sanitizeWith 40 (if isNull text then "" else text)) rule)

        if isNull text then
            fail "size must be a string like '1024x1024' or 'auto'"
        else
            let given = text.Trim().ToLowerInvariant()

            if given = "auto" then
                Ok OpenAiSize.Auto
            elif not (given.Contains 'x') then
                fail "size must be 'auto' or '<width>x<height>'"
            else
                let cut = given.IndexOf 'x'
                let width, height = given.Substring(0, cut), given.Substring(cut + 1)

                if not (isDigits width && isDigits height) then
                    fail "size width and height must be positive integers"
                else
                    let w, h = BigInteger.Parse width, BigInteger.Parse height
                    let longEdge, shortEdge = BigInteger.Max(w, h), BigInteger.Min(w, h)

                    if w.IsZero || h.IsZero then
                        fail "size width and height must be positive"
                    elif not (w % BigInteger 16).IsZero || not (h % BigInteger 16).IsZero then
                        fail "size width and height must be multiples of 16"
                    elif longEdge >= BigInteger maxEdge then
                        fail "size max edge must be less than 3840"
                    elif longEdge > shortEdge * BigInteger 3 then
                        fail "size aspect ratio must be <= 3:1"
                    elif w * h < BigInteger minPixels || w * h > BigInteger maxPixels then
                        fail "size total pixels must be between 655360 and 8294400"
                    else
                        Ok(OpenAiSize.Exact(int w, int h))
