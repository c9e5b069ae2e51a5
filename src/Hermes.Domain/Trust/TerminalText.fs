namespace Hermes.Domain

open System
open System.Text

/// Server-supplied text made safe to print: no control characters, no escape sequences, no bidi tricks, bounded length.
/// Tab, newlines and every other whitespace fold into single spaces, so the output contains no C0 character at all.
module TerminalText =

    let defaultLimit = 300

    let private esc = '\u001B'
    let private bel = '\u0007'

    let private isBidiOverride (c: char) =
        (c >= '\u202A' && c <= '\u202E') || (c >= '\u2066' && c <= '\u2069')

    let private isC1 (c: char) = c >= '\u0080' && c <= '\u009F'

    /// Index just past a CSI sequence whose parameters start at i: parameter and intermediate bytes, then one final byte 0x40–0x7E.
    let rec private skipCsi (text: string) (i: int) =
        if i >= text.Length then
            text.Length
        elif text[i] >= '\u0040' && text[i] <= '\u007E' then
            i + 1
        elif text[i] >= '\u0020' && text[i] <= '\u003F' then
            skipCsi text (i + 1)
        else
            i // a stray control character ends a malformed sequence; it is then dropped on its own

    /// Index just past a control string (OSC, DCS, SOS, PM, APC) whose body starts at i: ends at BEL, ESC \ or C1 ST.
    let rec private skipString (text: string) (i: int) =
        if i >= text.Length then
            text.Length
        elif text[i] = bel || text[i] = '\u009C' then
            i + 1
        elif text[i] = esc && i + 1 < text.Length && text[i + 1] = '\\' then
            i + 2
        else
            skipString text (i + 1)

    /// Index just past an escape sequence that starts with ESC at i.
    let private skipEscape (text: string) (i: int) =
        if i + 1 >= text.Length then
            text.Length
        else
            match text[i + 1] with
            | '[' -> skipCsi text (i + 2)
            | ']'
            | 'P'
            | 'X'
            | '^'
            | '_' -> skipString text (i + 2)
            | _ ->
                // ESC, intermediates 0x20–0x2F, then one final byte 0x30–0x7E (e.g. ESC c, ESC ( B).
                let mutable j = i + 1

                while j < text.Length && text[j] >= '\u0020' && text[j] <= '\u002F' do
                    j <- j + 1

                if j < text.Length && text[j] >= '\u0030' && text[j] <= '\u007E' then
                    j + 1
                else
                    j

    /// Drops escape sequences and control, C1 and bidi-override characters; whitespace becomes ' '; lone surrogates become U+FFFD.
    let private clean (text: string) =
        let out = StringBuilder(text.Length)
        let mutable i = 0

        while i < text.Length do
            let c = text[i]

            if c = esc then
                i <- skipEscape text i
            elif c = '\u009B' then
                i <- skipCsi text (i + 1)
            elif c = '\u009D' || c = '\u0090' || c = '\u0098' || c = '\u009E' || c = '\u009F' then
                i <- skipString text (i + 1)
            elif Char.IsHighSurrogate c && i + 1 < text.Length && Char.IsLowSurrogate text[i + 1] then
                out.Append(c).Append(text[i + 1]) |> ignore
                i <- i + 2
            else
                if Char.IsWhiteSpace c then
                    out.Append ' ' |> ignore
                elif Char.IsSurrogate c then
                    out.Append '\uFFFD' |> ignore
                elif not (c < ' ' || c = '\u007F' || isC1 c || isBidiOverride c) then
                    out.Append c |> ignore

                i <- i + 1

        out.ToString()

    let private collapseSpaces (text: string) =
        let out = StringBuilder(text.Length)

        for c in text do
            if not (c = ' ' && out.Length > 0 && out[out.Length - 1] = ' ') then
                out.Append c |> ignore

        out.ToString().Trim ' '

    /// At most `limit` characters of the text (never half a surrogate pair), then "…" when it was longer.
    let private cut (limit: int) (text: string) =
        let limit = max 0 limit

        if text.Length <= limit then
            text
        else
            let keep =
                if limit > 0 && Char.IsHighSurrogate text[limit - 1] then
                    limit - 1
                else
                    limit

            text.Substring(0, keep).TrimEnd(' ') + "…"

    /// Safe to print; at most limit + 1 characters (the last one "…" when cut).
    let sanitizeWith (limit: int) (text: string) =
        if isNull text then
            ""
        else
            text |> clean |> collapseSpaces |> cut limit

    /// Safe to print; at most 300 characters plus "…".
    let sanitize (text: string) = sanitizeWith defaultLimit text
