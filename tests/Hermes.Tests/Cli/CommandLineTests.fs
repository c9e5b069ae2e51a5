module Hermes.Tests.Cli.CommandLineTests

open System
open Xunit
open FsCheck
open FsCheck.FSharp
open FsCheck.Xunit
open Argu
open Hermes.Cli

let grammar =
    CommandLine.ofParser "hermes" (ArgumentParser.Create<Args.HermesArgs>(programName = "hermes"))

let private generate =
    grammar.Commands |> List.find (fun (n, _) -> n = "generate") |> snd

let private known (g: CommandLine.Grammar) = (g.Options |> List.map fst) @ g.Help

[<Fact>]
let ``every command, nested ones included, takes -h and --help`` () =
    let rec all (g: CommandLine.Grammar) =
        g :: (g.Commands |> List.collect (snd >> all))

    Assert.Equal(19, (all grammar).Length)
    Assert.All(all grammar, fun g -> Assert.Equal<string list>([ "--help"; "-h" ], List.sort g.Help))

[<Fact>]
let ``every long option that takes a value reads the same as --name value and --name=value`` () =
    for name, arity in generate.Options do
        if arity = CommandLine.Arity.Value && name.StartsWith "--" then
            let spaced = CommandLine.scan grammar [ "generate"; name; "v=1"; "p" ]
            let assigned = CommandLine.scan grammar [ "generate"; name + "=v=1"; "p" ]
            Assert.Equal(spaced, assigned)
            Assert.Equal(Ok [ "generate"; name; "v=1"; "p" ], spaced |> Result.map _.Tokens)

/// Option-looking tokens: a dash or two, then anything without whitespace.
let private dashed =
    gen {
        let! dashes = Gen.elements [ "-"; "--" ]
        let! body = ArbMap.defaults |> ArbMap.generate<NonWhiteSpaceString>
        return dashes + body.Get
    }

[<Property>]
let ``a token starting with a dash that generate does not know is refused, naming it`` () =
    Prop.forAll (Arb.fromGen dashed) (fun token ->
        let name =
            match token.IndexOf '=' with
            | i when token.StartsWith "--" && i > 2 -> token.Substring(0, i)
            | _ -> token

        (token = "--" || List.contains name (known generate))
        || (match CommandLine.scan grammar [ "generate"; token; "a prompt" ] with
            | Error message -> message.Contains(sprintf "'%s'" name)
            | Ok _ -> false))

[<Property>]
let ``everything after -- is the command's arguments, untouched`` (after: string list) =
    let after = after |> List.map (fun s -> if isNull s then "" else s)

    match CommandLine.scan grammar ([ "generate"; "--json"; "--" ] @ after) with
    | Ok scanned -> scanned.Rest = after && scanned.Tokens = [ "generate"; "--json" ]
    | Error _ -> false

[<Fact>]
let ``an option's value may start with a dash; "-" alone is an argument`` () =
    Assert.Equal(
        Ok [ "generate"; "--model"; "-x"; "-" ],
        CommandLine.scan grammar [ "generate"; "--model"; "-x"; "-" ]
        |> Result.map _.Tokens
    )

[<Fact>]
let ``unknown commands and misused flags are refused with the command named and a suggestion`` () =
    let refused args =
        match CommandLine.scan grammar args with
        | Error message -> message
        | Ok scanned -> failwithf "accepted %A" scanned

    Assert.Equal(
        "unknown command 'genrate' for `hermes`: allowed are generate, batch, providers, models, config, auth, mcp, cache, history; did you mean 'generate'? (see `hermes --help`)",
        refused [ "genrate"; "p" ]
    )

    Assert.Equal(
        "unknown option '--modle' for `hermes generate`; did you mean '--model'? (see `hermes generate --help`)",
        refused [ "generate"; "--modle"; "x"; "p" ]
    )

    Assert.Equal("option '--json' takes no value, got 'yes' (see `hermes config list --help`)", refused [ "config"; "list"; "--json=yes" ])
    Assert.Contains("did you mean 'unset'?", refused [ "config"; "unst"; "k" ])

[<Property>]
let ``--json counts only before --`` (before: bool) (after: bool) =
    let args =
        [ "generate" ]
        @ (if before then [ "--json" ] else [])
        @ [ "--" ]
        @ (if after then [ "--json" ] else [])

    CommandLine.wantsJson args = before

[<Fact>]
let ``paths lists every command`` () =
    let shown = CommandLine.paths grammar |> List.map (String.concat " ")
    Assert.Contains("config unset", shown)
    Assert.Contains("auth remove", shown)
    Assert.Equal(19, shown.Length)
    Assert.Contains("batch", shown)
