/// The pure sign-in rules: which callback ends a pending sign-in, what a pasted line means, safe text, provider names.
module Hermes.Tests.Auth.CallbackRuleTests

open System
open Xunit
open FsCheck
open FsCheck.FSharp
open FsCheck.Xunit
open Hermes.Domain

let state = "the-state"

let printable (text: string) =
    text |> String.forall (fun c -> c = '\t' || not (Char.IsControl c))

let verdict pairs =
    OAuthCallback.evaluate state (Map.ofList pairs)

let finished =
    function
    | CallbackVerdict.Finished result -> Some result
    | CallbackVerdict.Ignored _ -> None

[<Fact>]
let ``a callback with the right state ends the sign-in with its code`` () =
    Assert.Equal(Some(Ok "the-code"), finished (verdict [ "code", "the-code"; "state", state ]))

[<Fact>]
let ``a callback with the right state and an error ends the sign-in as a denial`` () =
    Assert.Equal(
        Some(Error(AuthError.UserDenied("access_denied", "no"))),
        finished (verdict [ "error", "access_denied"; "error_description", "no"; "state", state ])
    )

[<Theory>]
[<InlineData("error=access_denied")>]
[<InlineData("error=access_denied&state=forged")>]
[<InlineData("code=abc")>]
[<InlineData("code=abc&state=")>]
[<InlineData("code=abc&state=the-state-and-more")>]
[<InlineData("state=the-state")>]
[<InlineData("")>]
[<InlineData("code=abc&state=the-state&state=the-state")>]
let ``only a request carrying the expected state can end a pending sign-in`` (query: string) =
    Assert.Equal(None, finished (OAuthCallback.evaluateQuery state query))

[<Fact>]
let ``a query over the cap is ignored without being read`` () =
    let huge =
        "code=abc&state=the-state&pad=" + String('x', OAuthCallback.maxQueryLength)

    Assert.Equal(None, finished (OAuthCallback.evaluateQuery state huge))

[<Fact>]
let ``a blank expected state matches nothing`` () =
    Assert.Equal(None, finished (OAuthCallback.evaluate "" (Map.ofList [ "code", "c"; "state", "" ])))

let noStateQuery =
    let anyText = ArbMap.defaults.ArbFor<string>().Generator

    Gen.listOf (Gen.zip (Gen.elements [ "code"; "error"; "error_description"; "x"; "STATE"; "state " ]) anyText)
    |> Gen.map (List.filter (fun (_, v) -> not (isNull v)) >> Map.ofList)

[<Property(MaxTest = 500)>]
let ``no query without the expected state ever ends the sign-in`` () =
    Prop.forAll (Arb.fromGen noStateQuery) (fun query ->
        let forged = query |> Map.add "state" "forged"

        finished (OAuthCallback.evaluate state query) = None
        && finished (OAuthCallback.evaluate state forged) = None)

[<Property>]
let ``parsing a callback query is total`` (query: string) =
    OAuthCallback.evaluateQuery state query |> ignore
    true

[<Fact>]
let ``a callback error and its description are stripped of escapes and cut to 300 characters before any message`` () =
    let hostile =
        "\u001b]8;;https://evil.example\u0007click\u001b]8;;\u0007\u001b[2J\u001b[31mred\r\nline"
        + String('d', 1000)

    match
        finished (
            verdict
                [
                    "error", "\u001b[1mdenied\u0007"
                    "error_description", hostile
                    "state", state
                ]
        )
    with
    | Some(Error(AuthError.UserDenied(error, description)) as denied) ->
        Assert.Equal("denied", error)
        Assert.StartsWith("clickred line", description)
        Assert.Equal(301, description.Length) // 300 characters and the "…" that says it was cut

        let message =
            AuthError.message (
                match denied with
                | Error e -> e
                | Ok _ -> failwith "ok"
            )

        Assert.True(printable message, message)
    | other -> failwithf "%A" other

[<Theory>]
[<InlineData("http://127.0.0.1:56121/callback?code=the-code&state=the-state")>]
[<InlineData("http://127.0.0.1:56121/callback?state=the-state&code=the-code#_=_")>]
[<InlineData("?code=the-code&state=the-state")>]
[<InlineData("code=the-code&state=the-state")>]
[<InlineData("  the-code  ")>]
let ``a pasted redirect URL, its query or the bare code ends a headless sign-in`` (pasted: string) =
    Assert.Equal(Some(Ok "the-code"), finished (OAuthCallback.parsePasted state pasted))

[<Theory>]
[<InlineData("http://127.0.0.1:56121/callback?code=the-code&state=forged")>]
[<InlineData("http://127.0.0.1:56121/callback?code=the-code")>]
[<InlineData("http://127.0.0.1:56121/callback?error=access_denied")>]
[<InlineData("code=the-code")>]
[<InlineData("")>]
[<InlineData("not a code, some words")>]
[<InlineData("\u001b[2Jcode")>]
let ``a pasted line is checked exactly as a callback: without this sign-in's state it is ignored`` (pasted: string) =
    match OAuthCallback.parsePasted state pasted with
    | CallbackVerdict.Ignored reason -> Assert.False(String.IsNullOrWhiteSpace reason)
    | other -> failwithf "accepted %A" other

[<Fact>]
let ``a pasted error with this sign-in's state ends it as a denial`` () =
    Assert.Equal(
        Some(Error(AuthError.UserDenied("access_denied", ""))),
        finished (OAuthCallback.parsePasted state "http://127.0.0.1:1/callback?error=access_denied&state=the-state")
    )

[<Property>]
let ``reading a pasted line is total`` (pasted: string) =
    OAuthCallback.parsePasted state pasted |> ignore
    true

[<Property(MaxTest = 1000)>]
let ``callback text through the one sanitizer has no control characters and fits the limit`` (text: string) (limit: PositiveInt) =
    let limit = min limit.Get 400
    let safe = TerminalText.sanitizeWith limit text
    printable safe && safe.Length <= limit + 1

let escapeSequence =
    Gen.elements
        [
            "\u001b[31m"
            "\u001b[2J"
            "\u001b[1;2;3H"
            "\u001b]0;title\u0007"
            "\u001b]8;;https://evil.example\u001b\\"
            "\u001bPdcs\u001b\\"
            "\u001bc"
            "\u009b31m"
            "\u0007"
            "\u007f"
            "\u202e"
        ]

let plainWord = Gen.elements [ "access"; "denied"; "user"; "said"; "no"; "é"; "日本" ]

[<Property(MaxTest = 500)>]
let ``escape sequences vanish and the words around them stay`` () =
    Prop.forAll (Arb.fromGen (Gen.listOf (Gen.zip plainWord escapeSequence))) (fun pieces ->
        let text = pieces |> List.map (fun (w, e) -> w + e) |> String.concat ""
        let words = pieces |> List.map fst |> String.concat ""
        TerminalText.sanitizeWith 10000 text = words.Trim())

[<Property>]
let ``printable text within the limit is kept as it is`` () =
    Prop.forAll (Arb.fromGen (Gen.listOf plainWord |> Gen.map (String.concat " "))) (fun text ->
        TerminalText.sanitize text = text.Trim()
        || text.Length > TerminalText.defaultLimit)

[<Theory>]
[<InlineData("xai-oauth")>]
[<InlineData("grok-oauth")>]
[<InlineData("x-ai-oauth")>]
[<InlineData("xai-grok-oauth")>]
[<InlineData("  XAI-Grok-OAuth ")>]
let ``auth add accepts xai-oauth and its aliases`` (name: string) =
    Assert.Equal(Ok "xai-oauth", AuthProviderName.parse name)

[<Theory>]
[<InlineData("xai")>]
[<InlineData("grok")>]
[<InlineData("openai-codex")>]
[<InlineData("")>]
[<InlineData(null)>]
let ``other provider names are refused, naming the allowed ones`` (name: string) =
    match AuthProviderName.parse name with
    | Error bad -> Assert.Contains("grok-oauth", bad.Message)
    | Ok _ -> failwith "accepted"

[<Property>]
let ``a provider name parses to xai-oauth or to an error naming it`` (name: string) =
    match AuthProviderName.parse name with
    | Ok canonical -> canonical = "xai-oauth"
    | Error bad -> bad.Value = (if isNull name then "" else name)
