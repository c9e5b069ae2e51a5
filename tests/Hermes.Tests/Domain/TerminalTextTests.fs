/// trust.md, "Text that reaches a terminal": control characters stripped, length cut, known secrets redacted.
module Hermes.Tests.Domain.TerminalTextTests

open System
open System.Text
open Xunit
open FsCheck
open FsCheck.FSharp
open FsCheck.Xunit
open Hermes.Domain

/// Characters a hostile server likes: controls, ESC, CSI/OSC starters, C1, DEL, bidi overrides, surrogates.
let hostileChar =
    Gen.oneof
        [
            Gen.choose (0x00, 0x1F) |> Gen.map char
            Gen.choose (0x7F, 0x9F) |> Gen.map char
            Gen.choose (0x202A, 0x202E) |> Gen.map char
            Gen.choose (0x2066, 0x2069) |> Gen.map char
            Gen.elements
                [
                    '\u001B'
                    '['
                    ']'
                    '\\'
                    '\u0007'
                    ';'
                    '0'
                    'm'
                    'A'
                    ' '
                    'é'
                    '…'
                    '\uD83D'
                    '\uDE00'
                ]
            Gen.choose (0x20, 0x7E) |> Gen.map char
        ]

let hostileText =
    Gen.oneof
        [
            Gen.arrayOf hostileChar |> Gen.map String
            ArbMap.defaults
            |> ArbMap.generate<string>
            |> Gen.map (fun s -> if isNull s then "" else s)
        ]

let isForbidden (c: char) =
    c < ' '
    || c = '\u007F'
    || (c >= '\u0080' && c <= '\u009F')
    || (c >= '\u202A' && c <= '\u202E')
    || (c >= '\u2066' && c <= '\u2069')

[<Property(MaxTest = 2000)>]
let ``terminal text: no C0 (tab and newlines fold into spaces), DEL, C1, ESC or bidi override survives, and length is at most limit + 1``
    ()
    =
    Prop.forAll (Arb.fromGen (Gen.zip hostileText (Gen.choose (0, 400)))) (fun (text, limit) ->
        let clean = TerminalText.sanitizeWith limit text
        not (String.exists isForbidden clean) && clean.Length <= limit + 1)

[<Property(MaxTest = 1000)>]
let ``terminal text: no lone surrogate survives, even where the cut falls`` () =
    Prop.forAll (Arb.fromGen (Gen.zip hostileText (Gen.choose (0, 50)))) (fun (text, limit) ->
        let clean = TerminalText.sanitizeWith limit text

        clean
        |> Seq.indexed
        |> Seq.forall (fun (i, c) ->
            (not (Char.IsHighSurrogate c)
             || (i + 1 < clean.Length && Char.IsLowSurrogate clean[i + 1]))
            && (not (Char.IsLowSurrogate c) || (i > 0 && Char.IsHighSurrogate clean[i - 1]))))

[<Property(MaxTest = 1000)>]
let ``terminal text: no run of spaces and no space at either end`` () =
    Prop.forAll (Arb.fromGen hostileText) (fun text ->
        let clean = TerminalText.sanitize text
        not (clean.Contains "  ") && clean = clean.Trim(' '))

[<Property(MaxTest = 1000)>]
let ``terminal text: plain printable text within the limit is unchanged`` () =
    let word =
        Gen.choose (0x21, 0x7E)
        |> Gen.map char
        |> Gen.nonEmptyListOf
        |> Gen.map (Array.ofList >> String)

    let sentence =
        Gen.listOf word
        |> Gen.map (String.concat " ")
        |> Gen.filter (fun s -> s.Length <= 300)

    Prop.forAll (Arb.fromGen sentence) (fun text -> TerminalText.sanitize text = text)

[<Property(MaxTest = 1000)>]
let ``terminal text: sanitizing twice changes nothing`` () =
    Prop.forAll (Arb.fromGen hostileText) (fun text ->
        let once = TerminalText.sanitize text
        TerminalText.sanitize once = once)

[<Theory>]
[<InlineData("\u001b[31mred\u001b[0m", "red")>]
[<InlineData("\u001b[2J\u001b[1;1Hcleared", "cleared")>]
[<InlineData("\u001b]0;pwned title\u0007after", "after")>]
[<InlineData("\u001b]8;;https://evil.example\u001b\\link\u001b]8;;\u001b\\", "link")>]
[<InlineData("\u009b31mC1 CSI", "C1 CSI")>]
[<InlineData("\u009d0;title\u009cok", "ok")>]
[<InlineData("\u001bPdevice control\u001b\\ok", "ok")>]
[<InlineData("\u001bcreset", "reset")>]
[<InlineData("\u001b(Bcharset", "charset")>]
[<InlineData("a\u0000b\u0008c\u007fd\u0085e", "abcd e")>]
[<InlineData("line one\nline two\r\n\tindented", "line one line two indented")>]
[<InlineData("safe \u202Egnp.exe\u202C name", "safe gnp.exe name")>]
[<InlineData("\u2066isolated\u2069", "isolated")>]
[<InlineData("  padded   out  ", "padded out")>]
[<InlineData("unterminated \u001b[31", "unterminated")>]
[<InlineData("unterminated \u001b]0;title forever", "unterminated")>]
[<InlineData("", "")>]
[<InlineData(null, "")>]
let ``terminal text: escape sequences are removed whole, controls dropped, whitespace folded`` (text: string, expected: string) =
    Assert.Equal(expected, TerminalText.sanitize text)

[<Fact>]
let ``terminal text: a long message is cut to 300 characters and an ellipsis`` () =
    let clean = TerminalText.sanitize (String('x', 1000))
    Assert.Equal(301, clean.Length)
    Assert.EndsWith("x…", clean)
    Assert.Equal(String('x', 300), TerminalText.sanitize (String('x', 300)))
    Assert.Equal("ab…", TerminalText.sanitizeWith 3 "ab cdef")
    Assert.Equal("…", TerminalText.sanitizeWith 0 "abc")

// ---- secrets -------------------------------------------------------------------------------------------

[<Theory>]
[<InlineData("sk-abcdefghijklmnop", "sk-abc…")>]
[<InlineData("xai-12345678901", "xai-12…")>]
[<InlineData("abcdefghij", "…")>]
[<InlineData("short", "…")>]
[<InlineData("", "…")>]
[<InlineData(null, "…")>]
let ``secrets: shown as at most a six-character prefix`` (secret: string, expected: string) =
    Assert.Equal(expected, Secrets.prefix secret)

[<Property>]
let ``secrets: a prefix is at most six characters of the secret then an ellipsis`` (secret: string) =
    let shown = Secrets.prefix secret

    shown.EndsWith "…"
    && shown.Length <= 7
    && (isNull secret || secret.StartsWith(shown.Substring(0, shown.Length - 1)))

let secretGen =
    Gen.choose (8, 40)
    |> Gen.bind (fun n ->
        Gen.arrayOfLength n (Gen.elements ("abcdefABCDEF0123456789-_./+=:%… " |> Seq.toList))
        |> Gen.map String)

let secretsAndText =
    Gen.nonEmptyListOf secretGen
    |> Gen.bind (fun secrets ->
        let fragment =
            Gen.oneof
                [
                    Gen.elements secrets
                    Gen.elements secrets |> Gen.map (fun s -> s.Substring(0, s.Length / 2))
                    Gen.elements [ ""; " "; "a"; "sk-"; "…"; "error: "; "\"key\":\"" ]
                    secretGen
                ]

        Gen.listOf fragment |> Gen.map (fun parts -> secrets, String.concat "" parts))

[<Property(MaxTest = 2000)>]
let ``secrets: redacted text never contains a known secret of eight characters or more`` () =
    Prop.forAll (Arb.fromGen secretsAndText) (fun (secrets, text) ->
        let redacted = Secrets.redact secrets text

        secrets
        |> List.forall (fun s -> not (redacted.Contains(s, StringComparison.Ordinal))))

[<Property>]
let ``secrets: text without a secret is unchanged`` (text: string) =
    let text = if isNull text then "" else text
    let secret = "zz-never-in-generated-text-" + string (text.Length + 1)
    Secrets.redact [ secret ] text = text

[<Fact>]
let ``secrets: an echoed key is redacted to its prefix, also URL-encoded or base64`` () =
    let key = "xai-AbCdEf/Gh+Ij=Kl123456"

    let message =
        sprintf
            "invalid key %s (url %s, basic %s, url-safe %s)"
            key
            (Uri.EscapeDataString key)
            (Convert.ToBase64String(Encoding.UTF8.GetBytes key))
            (Convert.ToBase64String(Encoding.UTF8.GetBytes key).TrimEnd('=').Replace('+', '-').Replace('/', '_'))

    let redacted = Secrets.redact [ key ] message
    Assert.StartsWith("invalid key xai-Ab… (url xai-Ab…, basic xai-Ab…", redacted)
    Assert.DoesNotContain("Gh", redacted)

[<Fact>]
let ``secrets: a secret assembled by a replacement is redacted too`` () =
    let long = "bbbbbbbbbbbbbbb"
    let assembled = "xbbbbbb…yyy" // what "x" + long + "yyy" becomes once long is redacted
    Assert.Equal("xbbbbb…", Secrets.redact [ long; assembled ] ("x" + long + "yyy"))

[<Fact>]
let ``secrets: short secrets and nulls are ignored`` () =
    Assert.Equal("a short pin 1234", Secrets.redact [ "1234"; null ] "a short pin 1234")
    Assert.Equal("", Secrets.redact [ "abcdefghijk" ] null)
