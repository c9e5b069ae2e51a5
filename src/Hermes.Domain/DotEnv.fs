namespace Hermes.Domain

open System
open System.Text

/// `$HERMES_HOME/.env`: KEY=value lines that count as environment; the process environment wins.
module DotEnv =

    let private isKeyStart (c: char) = Char.IsAsciiLetter c || c = '_'

    let private isKeyChar (c: char) = Char.IsAsciiLetterOrDigit c || c = '_'

    let private validKey (key: string) =
        key <> "" && isKeyStart key[0] && String.forall isKeyChar key

    /// Only whitespace or a # comment may follow a closing quote.
    let private restIsComment (rest: string) =
        let trimmed = rest.TrimStart()
        trimmed = "" || trimmed.StartsWith '#'

    /// Index of the closing double quote from i, skipping backslash escapes; -1 when there is none.
    let rec private closingDoubleQuote (text: string) (i: int) =
        if i >= text.Length then -1
        elif text[i] = '\\' then closingDoubleQuote text (i + 2)
        elif text[i] = '"' then i
        else closingDoubleQuote text (i + 1)

    /// Backslash escapes of a double-quoted value: \n \t \r \" \\ ; any other \x stays as written.
    let private unescape (text: string) =
        let out = StringBuilder(text.Length)
        let mutable i = 0

        while i < text.Length do
            if text[i] = '\\' && i + 1 < text.Length then
                match text[i + 1] with
                | 'n' -> out.Append '\n' |> ignore
                | 't' -> out.Append '\t' |> ignore
                | 'r' -> out.Append '\r' |> ignore
                | '"' -> out.Append '"' |> ignore
                | '\\' -> out.Append '\\' |> ignore
                | other -> out.Append('\\').Append(other) |> ignore

                i <- i + 2
            else
                out.Append text[i] |> ignore
                i <- i + 1

        out.ToString()

    /// The value after `=`: 'single' is literal, "double" takes escapes, unquoted stops at a ` #` comment and is trimmed.
    let private parseValue (raw: string) =
        let value = raw.TrimStart()

        if value.StartsWith '\'' then
            match value.IndexOf('\'', 1) with
            | -1 -> None
            | close when restIsComment (value.Substring(close + 1)) -> Some(value.Substring(1, close - 1))
            | _ -> None
        elif value.StartsWith '"' then
            match closingDoubleQuote value 1 with
            | -1 -> None
            | close when restIsComment (value.Substring(close + 1)) -> Some(unescape (value.Substring(1, close - 1)))
            | _ -> None
        else
            let comment =
                value
                |> Seq.indexed
                |> Seq.tryFind (fun (i, c) -> c = '#' && (i = 0 || Char.IsWhiteSpace value[i - 1]))

            match comment with
            | Some(i, _) -> Some(value.Substring(0, i).Trim())
            | None -> Some(value.Trim())

    let private parseLine (line: string) =
        let line = line.Trim()

        let line =
            if line.StartsWith "export " || line.StartsWith "export\t" then
                line.Substring(7).TrimStart()
            else
                line

        if line = "" || line.StartsWith '#' then
            None
        else
            match line.IndexOf '=' with
            | -1 -> None
            | eq ->
                let key = line.Substring(0, eq).Trim()

                if validKey key then
                    parseValue (line.Substring(eq + 1)) |> Option.map (fun value -> key, value)
                else
                    None

    /// KEY=value pairs in file order (`#` comments, optional `export `, quotes); invalid lines are skipped.
    let parse (text: string) : (string * string) list =
        if isNull text then
            []
        else
            text.TrimStart('\uFEFF').Split('\n') |> Seq.choose parseLine |> List.ofSeq

    /// The environment Hermes sees: the process wins; a blank process value counts as unset; a later .env line wins over an earlier one.
    let merge (processEnv: Map<string, string>) (dotEnv: (string * string) list) : Map<string, string> =
        dotEnv
        |> List.fold
            (fun env (key, value) ->
                match Map.tryFind key processEnv with
                | Some given when not (String.IsNullOrWhiteSpace given) -> env
                | _ -> Map.add key value env)
            processEnv
