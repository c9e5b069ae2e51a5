namespace Hermes.Domain

open System

/// Server-supplied text made safe to print: no terminal escapes, no control characters, one bounded line.
module SafeText =

    /// The longest server-supplied string Hermes prints (trust.md).
    let maxLength = 300

    let private isBidiControl (c: char) =
        (c >= '\u202A' && c <= '\u202E') || (c >= '\u2066' && c <= '\u2069')

    /// Where the escape sequence starting at `i` (an ESC) ends, exclusive: CSI up to its final byte,
    /// OSC/DCS/SOS/PM/APC up to BEL or ST, any other escape is ESC plus one character.
    let private skipEscape (text: string) (i: int) =
        let n = text.Length

        let rec until (j: int) (stop: int -> int option) =
            if j >= n then
                n
            else
                match stop j with
                | Some next -> next
                | None -> until (j + 1) stop

        if i + 1 >= n then
            n
        else
            match text[i + 1] with
            | '[' -> until (i + 2) (fun j -> if text[j] >= '@' && text[j] <= '~' then Some(j + 1) else None)
            | ']'
            | 'P'
            | 'X'
            | '^'
            | '_' ->
                until (i + 2) (fun j ->
                    if text[j] = '\a' then Some(j + 1)
                    elif text[j] = '\u001B' && j + 1 < n && text[j + 1] = '\\' then Some(j + 2)
                    else None)
            | _ -> i + 2

    /// Drops ESC sequences, C0 controls (tab kept, line breaks become spaces), DEL, C1 and bidi overrides.
    let strip (text: string) =
        let source = if isNull text then "" else text
        let kept = Text.StringBuilder(source.Length)

        let rec go (i: int) =
            if i < source.Length then
                match source[i] with
                | '\u001B' -> go (skipEscape source i)
                | '\r'
                | '\n' ->
                    kept.Append ' ' |> ignore
                    go (i + 1)
                | '\t' ->
                    kept.Append '\t' |> ignore
                    go (i + 1)
                | c when Char.IsControl c || isBidiControl c -> go (i + 1)
                | c ->
                    kept.Append c |> ignore
                    go (i + 1)

        go 0
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
