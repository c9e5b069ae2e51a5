/// reference-2026.md, "Everywhere": keys in `$HERMES_HOME/.env` count as environment; the process environment wins.
module Hermes.Tests.Domain.DotEnvTests

open System
open Xunit
open FsCheck
open FsCheck.FSharp
open FsCheck.Xunit
open Hermes.Domain

[<Fact>]
let ``dotenv: KEY=value lines, comments, export, quotes and blank lines`` () =
    let text =
        String.concat
            "\n"
            [
                "# xAI key"
                ""
                "XAI_API_KEY=xai-plain"
                "export FAL_KEY=fal-exported"
                "  OPENAI_API_KEY = sk-spaced  "
                "SINGLE='single # not a comment'"
                "DOUBLE=\"line\\nbreak \\\"quoted\\\"\""
                "INLINE=value # trailing comment"
                "HASH=abc#def"
                "EMPTY="
                "QUOTED_EMPTY=\"\""
                "URL=https://api.x.ai/v1?x=1"
                "AFTER_QUOTE='v'   # comment"
                "\r"
                "WINDOWS=crlf\r"
            ]

    Assert.Equal<(string * string) list>(
        [
            "XAI_API_KEY", "xai-plain"
            "FAL_KEY", "fal-exported"
            "OPENAI_API_KEY", "sk-spaced"
            "SINGLE", "single # not a comment"
            "DOUBLE", "line\nbreak \"quoted\""
            "INLINE", "value"
            "HASH", "abc#def"
            "EMPTY", ""
            "QUOTED_EMPTY", ""
            "URL", "https://api.x.ai/v1?x=1"
            "AFTER_QUOTE", "v"
            "WINDOWS", "crlf"
        ],
        DotEnv.parse text
    )

[<Theory>]
[<InlineData("no equals sign")>]
[<InlineData("=value without key")>]
[<InlineData("1KEY=digit first")>]
[<InlineData("MY-KEY=dash")>]
[<InlineData("MY KEY=space")>]
[<InlineData("KEY='unterminated")>]
[<InlineData("KEY=\"unterminated")>]
[<InlineData("KEY='a' junk")>]
[<InlineData("KEY=\"a\"junk")>]
[<InlineData("# KEY=commented")>]
[<InlineData("   ")>]
[<InlineData("")>]
[<InlineData(null)>]
let ``dotenv: invalid lines are skipped`` (line: string) = Assert.Empty(DotEnv.parse line)

[<Fact>]
let ``dotenv: a byte-order mark does not hide the first key`` () =
    Assert.Equal<(string * string) list>([ "KEY", "v" ], DotEnv.parse "\uFEFFKEY=v")

let keyGen =
    Gen.zip (Gen.elements ("ABCXYZ_" |> Seq.toList)) (Gen.listOf (Gen.elements ("ABC_019" |> Seq.toList)))
    |> Gen.map (fun (first, rest) -> String(Array.ofList (first :: rest)))

let plainValueGen =
    Gen.listOf (Gen.elements ("abcXYZ019-_./:+=@" |> Seq.toList))
    |> Gen.map (Array.ofList >> String)

let quotableValueGen =
    Gen.listOf (Gen.elements ("abc 019#='\\\"!$" |> Seq.toList))
    |> Gen.map (Array.ofList >> String)

[<Property(MaxTest = 500)>]
let ``dotenv: plain, single-quoted and double-quoted values round-trip`` () =
    let line =
        Gen.zip3 keyGen (Gen.elements [ 0; 1; 2 ]) (Gen.zip plainValueGen quotableValueGen)
        |> Gen.map (fun (key, style, (plain, quotable)) ->
            match style with
            | 0 -> key, plain, sprintf "%s=%s" key plain
            | 1 ->
                let value = quotable.Replace("'", "")
                key, value, sprintf "%s='%s'" key value
            | _ -> key, quotable, sprintf "%s=\"%s\"" key (quotable.Replace("\\", "\\\\").Replace("\"", "\\\"")))

    Prop.forAll (Arb.fromGen (Gen.nonEmptyListOf line)) (fun lines ->
        let text = lines |> List.map (fun (_, _, l) -> l) |> String.concat "\n"
        DotEnv.parse text = (lines |> List.map (fun (k, v, _) -> k, v)))

[<Property>]
let ``dotenv: parse is total and yields only valid keys`` (text: string) =
    DotEnv.parse text
    |> List.forall (fun (key, _) ->
        key <> ""
        && key |> String.forall (fun c -> Char.IsAsciiLetterOrDigit c || c = '_'))

[<Fact>]
let ``dotenv: the process environment wins; a blank process value counts as unset; the later line wins`` () =
    let processEnv =
        Map [ "XAI_API_KEY", "from-process"; "FAL_KEY", "  "; "HOME", "/home/u" ]

    let merged =
        DotEnv.merge
            processEnv
            [
                "XAI_API_KEY", "from-file"
                "FAL_KEY", "fal-file"
                "OPENAI_API_KEY", "old"
                "OPENAI_API_KEY", "new"
            ]

    Assert.Equal<Map<string, string>>(
        Map
            [
                "XAI_API_KEY", "from-process"
                "FAL_KEY", "fal-file"
                "HOME", "/home/u"
                "OPENAI_API_KEY", "new"
            ],
        merged
    )

[<Property>]
let ``dotenv: every non-blank process value survives the merge, every .env key is present``
    (processEnv: Map<NonEmptyString, string>)
    (dotEnv: (NonEmptyString * string) list)
    =
    let processEnv =
        processEnv |> Map.toList |> List.map (fun (k, v) -> k.Get, v) |> Map

    let dotEnv = dotEnv |> List.map (fun (k, v) -> k.Get, v)
    let merged = DotEnv.merge processEnv dotEnv

    (processEnv
     |> Map.forall (fun k v -> String.IsNullOrWhiteSpace v || merged[k] = v))
    && (dotEnv |> List.forall (fun (k, _) -> merged.ContainsKey k))
