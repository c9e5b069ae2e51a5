namespace Hermes.Domain

open System
open System.Globalization

/// xAI `storage_options`: the image is also kept in xAI file storage, behind a durable URL.
type XaiStorage =
    {
        Filename: string
        PublicUrl: bool
        /// Seconds until xAI deletes the file; None keeps it.
        ExpiresAfter: int64 option
    }

/// image_gen.xai.storage.* of config.yaml as raw text, each None when unset.
type XaiStorageSettings =
    {
        Enabled: string option
        PublicUrl: string option
        ExpiresAfter: string option
    }

module XaiStorage =

    /// What an unparsable expires_after becomes: two days, so a typo never stores an image forever.
    let fallbackSeconds = 172_800L

    /// The longest retention Hermes asks for: thirty days.
    let maxSeconds = 2_592_000L

    let noSettings =
        {
            Enabled = None
            PublicUrl = None
            ExpiresAfter = None
        }

    let private permanentWords =
        set [ "default"; "none"; "null"; "never"; "permanent"; "forever" ]

    let private falseWords = set [ "false"; "no"; "off"; "0" ]

    let private isFalse (text: string option) =
        text
        |> Option.bind Validation.nonBlank
        |> Option.exists (fun t -> falseWords.Contains(t.ToLowerInvariant()))

    /// `hermes-xai-image-<UTC yyyyMMdd-HHmmss>-<suffix>.png`; the suffix (8 random hex digits) keeps same-second names apart.
    let filename (utcNow: DateTimeOffset) (suffix: string) =
        sprintf "hermes-xai-image-%s-%s.png" (utcNow.UtcDateTime.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)) suffix

    /// Whole seconds, or a count with an s/m/h/d unit ("90", "36h", "7d").
    let private seconds (text: string) =
        let unitOf (c: char) =
            match c with
            | 's' -> Some 1L
            | 'm' -> Some 60L
            | 'h' -> Some 3600L
            | 'd' -> Some 86_400L
            | _ -> None

        let number, scale =
            match unitOf text[text.Length - 1] with
            | Some scale -> text.Substring(0, text.Length - 1).Trim(), scale
            | None -> text, 1L

        match Int64.TryParse(number, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture) with
        | true, n when n <= 0L -> Some 0L
        | true, n when n > maxSeconds / scale -> Some maxSeconds
        | true, n -> Some(n * scale)
        | _ -> None

    /// Unset, blank, a word for "keep it" or ≤ 0 → None; unparsable → two days; else the seconds, at most thirty days.
    let expiresAfter (configured: string option) : int64 option =
        match configured |> Option.bind Validation.nonBlank |> Option.map _.ToLowerInvariant() with
        | None -> None
        | Some word when permanentWords.Contains word -> None
        | Some text ->
            match seconds text with
            | Some 0L -> None
            | Some n -> Some(min n maxSeconds)
            | None -> Some fallbackSeconds

    /// The storage_options to send: on unless image_gen.xai.storage.enabled is false; public_url on unless set false.
    let fromSettings (settings: XaiStorageSettings) (filename: string) : XaiStorage option =
        if isFalse settings.Enabled then
            None
        else
            Some
                {
                    Filename = filename
                    PublicUrl = not (isFalse settings.PublicUrl)
                    ExpiresAfter = expiresAfter settings.ExpiresAfter
                }
