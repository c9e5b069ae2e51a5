namespace Hermes.Domain

open System
open System.Text.RegularExpressions

/// What to do with an image URL a provider or a redirect handed Hermes.
[<RequireQualifiedAccess>]
type UrlVerdict =
    /// http/https, absolute, no userinfo, host not a literal internal address or local name (unless a trusted origin).
    | Fetch of System.Uri
    /// data:image/...;base64,... within the image cap: decode strictly, never fetch.
    | Inline of dataUrl: string
    /// One line naming the URL (without query or userinfo) and why it is not fetched.
    | Refused of reason: string

/// The URL rules of trust.md, checked before any connection; the connect step checks the resolved address again.
module ImageUrl =

    let private schemePrefix =
        Regex(@"^[A-Za-z][A-Za-z0-9+.\-]*:", RegexOptions.CultureInvariant)

    let private drivePath = Regex(@"^[A-Za-z]:[\\/]", RegexOptions.CultureInvariant)

    let private dataImage =
        Regex(@"^data:image/[a-z0-9.+\-]+;base64,", RegexOptions.CultureInvariant ||| RegexOptions.IgnoreCase)

    /// The URL as shown in a refusal: no query, fragment, userinfo or data payload; printable and bounded.
    let shown (url: string) =
        let text = if isNull url then "" else url.Trim()

        let visible =
            if text.StartsWith("data:", StringComparison.OrdinalIgnoreCase) then
                match text.IndexOf ',' with
                | -1 -> "data:…"
                | comma -> text.Substring(0, comma + 1) + "…"
            else
                let noQuery =
                    match text.IndexOfAny [| '?'; '#' |] with
                    | -1 -> text
                    | cut -> text.Substring(0, cut)

                match noQuery.IndexOf "://" with
                | -1 -> noQuery
                | i ->
                    let start = i + 3

                    let authorityEnd =
                        match noQuery.IndexOfAny([| '/'; '\\' |], start) with
                        | -1 -> noQuery.Length
                        | e -> e

                    match noQuery.LastIndexOf('@', authorityEnd - 1, authorityEnd - start) with
                    | -1 -> noQuery
                    | at -> noQuery.Substring(0, start) + noQuery.Substring(at + 1)

        TerminalText.sanitizeWith 200 visible

    let private refuse (url: string) (why: string) =
        UrlVerdict.Refused $"image URL '{shown url}' refused: {why}"

    /// Bytes a base64 payload decodes to (padding ignored), known before decoding.
    let private decodedLength (payload: string) =
        let significant = int64 (payload.TrimEnd('=').Length)
        significant / 4L * 3L + (significant % 4L) * 3L / 4L

    let private isLocalName (host: string) =
        host = "localhost" || host.EndsWith ".localhost"

    let private classifyData (url: string) =
        let m = dataImage.Match url

        if not m.Success then
            refuse url "a data URL must be data:image/<type>;base64,<data>"
        else
            let payload = url.Substring m.Length

            if payload = "" then
                refuse url "the data URL has no payload"
            elif decodedLength payload > Limits.maxImageBytes then
                refuse url $"the data URL decodes to more than the {Limits.maxImageBytes}-byte image cap"
            else
                UrlVerdict.Inline url

    let private classifyHttp (trusted: Origin list) (url: string) (uri: Uri) =
        // IdnHost is the name the resolver sees: fullwidth digits and other IDNA mappings are already folded to ASCII.
        let host = Address.normalizeHost uri.IdnHost

        if uri.UserInfo <> "" then
            refuse url "it carries user information (user:password@)"
        elif Address.isTrusted trusted host uri.Port then
            UrlVerdict.Fetch uri
        else
            match Address.parseHost host with
            | Some address when not (Address.isPublic address) ->
                refuse url $"host {host} is a {Address.describe (Address.classify address)} address"
            | Some _ -> UrlVerdict.Fetch uri
            | None when isLocalName host -> refuse url $"host {host} is a local name"
            | None -> UrlVerdict.Fetch uri

    /// Fetch for a public http(s) URL, Inline for a base64 image data URL, Refused for anything else.
    let classify (trusted: Origin list) (url: string) =
        match Validation.nonBlank url with
        | None -> UrlVerdict.Refused "image URL refused: it is empty"
        | Some text ->
            if text.StartsWith("data:", StringComparison.OrdinalIgnoreCase) then
                classifyData text
            elif text.StartsWith "//" || text.StartsWith @"\\" then
                refuse text "a scheme-relative URL (//host) is not fetched; only absolute http and https URLs are"
            elif text.StartsWith '/' || text.StartsWith '\\' || drivePath.IsMatch text then
                refuse text "it is a local path; only http and https URLs are fetched"
            elif not (schemePrefix.IsMatch text) then
                refuse text "it is a relative URL; only absolute http and https URLs are fetched"
            else
                let scheme = text.Substring(0, text.IndexOf ':').ToLowerInvariant()

                if scheme <> "http" && scheme <> "https" then
                    refuse text $"scheme '{TerminalText.sanitizeWith 20 scheme}:' is not fetched; only http and https are"
                elif not (text.Substring(scheme.Length + 1).StartsWith "//") then
                    refuse text "it is not an absolute URL (scheme://host/...)"
                elif text |> String.exists (fun c -> c <= ' ' || c = '\u007F' || c = '\\') then
                    refuse text "it contains whitespace, control characters or backslashes"
                else
                    match Uri.TryCreate(text, UriKind.Absolute) with
                    | true, uri when uri.Host <> "" -> classifyHttp (if isNull (box trusted) then [] else trusted) text uri
                    | _ -> refuse text "it is not a valid URL"

    /// A redirect Location resolved against the current URL, then classified by the same rules; no Location is Refused.
    let redirect (trusted: Origin list) (current: Uri) (location: string option) =
        let from = if isNull current then "" else current.OriginalString

        match location |> Option.bind Validation.nonBlank with
        | None -> UrlVerdict.Refused $"redirect from '{shown from}' refused: it has no Location"
        | Some target when target.StartsWith("data:", StringComparison.OrdinalIgnoreCase) ->
            UrlVerdict.Refused $"redirect from '{shown from}' refused: it points to a data URL"
        | Some target ->
            match
                (if isNull current then
                     (false, null)
                 else
                     Uri.TryCreate(current, target))
            with
            | true, resolved when resolved.IsAbsoluteUri -> classify trusted resolved.AbsoluteUri
            | _ -> refuse target $"the redirect from '{shown from}' has an unusable Location"
