namespace Hermes.Domain

open System
open System.Text.RegularExpressions

/// Where a source image of an edit comes from, as the user wrote it.
[<RequireQualifiedAccess>]
type ImageSource =
    /// A file on this machine (after `~` expansion); read only through the read guard.
    | LocalPath of path: string
    /// An http(s) URL; fetched under the trust rules, or handed to a provider that fetches it itself.
    | Remote of url: string
    /// A `data:image/<type>;base64,` URL within the image cap; decoded strictly.
    | DataUrl of url: string

/// Parses an edit source: a local path, an http(s) URL or a data:image URL; anything else is an error naming it.
module ImageSource =

    let private httpUrl =
        Regex(@"^https?://", RegexOptions.CultureInvariant ||| RegexOptions.IgnoreCase)

    let private otherScheme =
        Regex(@"^([A-Za-z][A-Za-z0-9+.\-]*):", RegexOptions.CultureInvariant)

    let private drivePath = Regex(@"^[A-Za-z]:[\\/]", RegexOptions.CultureInvariant)

    let allowed =
        "a local file path, an http(s) URL or a data:image/<type>;base64,<data> URL"

    /// The source as an error message shows it: no data payload, no query, no user information; printable and bounded.
    let shown (text: string) = ImageUrl.shown text

    let private refuse (text: string) (why: string) =
        Error $"invalid source image '{shown text}': {why}; allowed: {allowed}"

    /// `~` and `~/…` become the user's home; `~user` is left as a file name.
    let private expandHome (userHome: string) (path: string) =
        let home = (if isNull userHome then "" else userHome).TrimEnd('/', '\\')

        if path = "~" then home
        elif path.StartsWith "~/" || path.StartsWith @"~\" then home + "/" + path.Substring 2
        else path

    /// The source this text names; `userHome` expands `~`.
    let parse (userHome: string) (text: string) : Result<ImageSource, string> =
        match Validation.nonBlank text with
        | None -> Error $"invalid source image '': it is empty; allowed: {allowed}"
        | Some given when given.StartsWith("data:", StringComparison.OrdinalIgnoreCase) ->
            match ImageUrl.classify [] given with
            | UrlVerdict.Inline url -> Ok(ImageSource.DataUrl url)
            | UrlVerdict.Refused reason -> Error $"invalid source image: {reason}"
            | UrlVerdict.Fetch _ -> refuse given "it is not a data:image URL"
        | Some given when httpUrl.IsMatch given -> Ok(ImageSource.Remote given)
        | Some given when drivePath.IsMatch given -> Ok(ImageSource.LocalPath given)
        | Some given when otherScheme.IsMatch given && given.Contains "://" ->
            let scheme = otherScheme.Match(given).Groups[1].Value.ToLowerInvariant()
            refuse given $"scheme '{TerminalText.sanitizeWith 20 scheme}:' is not read"
        | Some given -> Ok(ImageSource.LocalPath(expandHome userHome given))

    /// The text that names the source on the wire or in an error.
    let text =
        function
        | ImageSource.LocalPath path -> path
        | ImageSource.Remote url -> url
        | ImageSource.DataUrl url -> url
