namespace Hermes.Domain

open System

/// Server-supplied text made safe to print: no terminal escapes, no control characters, one bounded line.
module SafeText =

    /// The longest server-supplied string Hermes prints (trust.md).
    let maxLength = 300

    let private isBidiControl (c: char) =
        (c >= '\u202A' && c <= '\u202E') || (c >= '\u2066' && c <= '\u2069')

    /// The first index from `j` on that satisfies `stop`, or the end; loops, so any length is safe.
    let private scan (text: string) (j: int) (stop: int -> bool) =
        let mutable k = j

        while k < text.Length && not (stop k) do
            k <- k + 1

        k

    /// Where a CSI body starting at `j` ends (exclusive): at its final byte.
    let private skipCsi (text: string) (j: int) =
        min text.Length (scan text j (fun k -> text[k] >= '@' && text[k] <= '~') + 1)

    /// Where an OSC, DCS, SOS, PM or APC body starting at `j` ends: after BEL or a string terminator (ESC \ or U+009C).
    let private skipString (text: string) (j: int) =
        let stop =
            scan text j (fun k ->
                text[k] = '\a'
                || text[k] = '\u009C'
                || (text[k] = '\u001B' && k + 1 < text.Length && text[k + 1] = '\\'))

        if stop >= text.Length then text.Length
        elif text[stop] = '\u001B' then stop + 2
        else stop + 1

    let private isIntroducer (c: char) =
        c = '\u001B'
        || c = '\u009B'
        || c = '\u009D'
        || c = '\u0090'
        || c = '\u0098'
        || c = '\u009E'
        || c = '\u009F'

    /// Where the sequence introduced at `i` ends: ESC and one character, or an 8-bit (C1) introducer.
    let private skipSequence (text: string) (i: int) =
        match text[i] with
        | '\u001B' when i + 1 >= text.Length -> text.Length
        | '\u001B' ->
            match text[i + 1] with
            | '[' -> skipCsi text (i + 2)
            | ']'
            | 'P'
            | 'X'
            | '^'
            | '_' -> skipString text (i + 2)
            | _ -> i + 2
        | '\u009B' -> skipCsi text (i + 1)
        | _ -> skipString text (i + 1)

    /// Drops escape sequences (7- and 8-bit), C0 controls (tab kept, a line feed becomes a space), DEL, C1 and bidi overrides.
    let strip (text: string) =
        let source = if isNull text then "" else text
        let kept = Text.StringBuilder(source.Length)
        let mutable i = 0

        while i < source.Length do
            let c = source[i]

            if isIntroducer c then
                i <- skipSequence source i
            else
                if c = '\n' then
                    kept.Append ' ' |> ignore
                elif c = '\t' || not (Char.IsControl c || isBidiControl c) then
                    kept.Append c |> ignore

                i <- i + 1

        kept.ToString()

    /// `strip`, trimmed, and cut to `limit` characters (an ellipsis marks the cut; surrogate pairs stay whole).
    let forTerminal (limit: int) (text: string) =
        let clean = (strip text).Trim()

        if limit <= 0 then
            ""
        elif clean.Length <= limit then
            clean
        else
            let cut = max 0 (limit - 1)

            let cut =
                if cut > 0 && Char.IsHighSurrogate clean[cut - 1] then
                    cut - 1
                else
                    cut

            clean.Substring(0, cut) + "…"
