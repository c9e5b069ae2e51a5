namespace Hermes.Domain

open System
open System.Text

/// Keys and tokens never reach a terminal or a log whole.
module Secrets =

    /// Secrets shorter than this are not searched for: they would match ordinary words.
    let minRedactedLength = 8

    /// "sk-abc…": at most six characters then "…"; secrets of ten characters or fewer show nothing but "…".
    let prefix (secret: string) =
        if isNull secret || secret.Length <= 10 then
            "…"
        else
            secret.Substring(0, (if Char.IsHighSurrogate secret[5] then 5 else 6)) + "…"

    /// The spellings of a secret that may come back in a message: as is, URL-encoded, base64 and base64url of its UTF-8.
    let private spellings (secret: string) =
        let base64 = Convert.ToBase64String(Encoding.UTF8.GetBytes secret).TrimEnd('=')
        let base64Url = base64.Replace('+', '-').Replace('/', '_')

        [ secret; Uri.EscapeDataString secret; base64; base64Url ]
        |> List.filter (fun s -> s.Length >= minRedactedLength)
        |> List.distinct

    /// Replaces every occurrence of each known secret (length >= 8, and its encoded spellings) with its prefix, also where a
    /// length cut ended the text inside it.
    let redact (secrets: string seq) (text: string) =
        if isNull text then
            ""
        else
            let known =
                (if isNull secrets then Seq.empty else secrets)
                |> Seq.filter (fun s -> not (isNull s) && s.Length >= minRedactedLength)
                |> Seq.collect (fun s -> spellings s |> List.map (fun spelling -> spelling, prefix s))
                |> Seq.sortByDescending (fun (spelling, _) -> spelling.Length)
                |> List.ofSeq

            // A secret that a length cut (TerminalText's "…") left longer than its prefix: "sk-proj-abcd…".
            let cutShort (current: string) (spelling: string) =
                seq { spelling.Length - 1 .. -1 .. minRedactedLength - 1 }
                |> Seq.map (fun length -> spelling.Substring(0, length) + "…")
                |> Seq.tryFind (fun partial -> current.Contains(partial, StringComparison.Ordinal))

            let found (current: string) =
                known
                |> List.tryPick (fun (spelling, shown) ->
                    if current.Contains(spelling, StringComparison.Ordinal) then
                        Some(spelling, shown)
                    else
                        None)
                |> Option.orElse (
                    known
                    |> List.tryPick (fun (spelling, shown) -> cutShort current spelling |> Option.map (fun partial -> partial, shown))
                )

            // Each replacement shortens the text (>= 8 characters become <= 7), so repeating until none is left ends,
            // and also catches a secret that a replacement has just assembled from its neighbours.
            let rec loop (current: string) =
                match found current with
                | None -> current
                | Some(spelling, shown) -> loop (current.Replace(spelling, shown, StringComparison.Ordinal))

            loop text
