/// Checks the command line before Argu reads it, so a mistyped flag is an error and never part of a prompt.
module Hermes.Cli.CommandLine

open Argu

[<RequireQualifiedAccess>]
type Arity =
    | Flag
    | Value

/// What one command accepts, as Argu's templates declare it.
type Grammar =
    {
        /// "hermes generate"
        Name: string
        Options: (string * Arity) list
        Help: string list
        /// Built on first use: a run reads only the grammars on its own command path (start-up cost).
        Commands: (string * Lazy<Grammar>) list
    }

/// A checked command line: the tokens for Argu (with `--flag=value` split) and the arguments after `--`.
type Scanned =
    {
        Tokens: string list
        Rest: string list
    }

/// Whether the caller asked for JSON, read even from a command line that does not parse.
let wantsJson (argv: string list) =
    argv |> List.takeWhile (fun t -> t <> "--") |> List.contains "--json"

let private seeHelp (grammar: Grammar) =
    $" (see `{grammar.Name} --help`)"

let private unknownOption (grammar: Grammar) (name: string) =
    let known = (grammar.Options |> List.map fst) @ grammar.Help

    $"unknown option '{name}' for `{grammar.Name}`{Suggest.hint known name}{seeHelp grammar}"

let private unknownCommand (grammar: Grammar) (name: string) =
    let known = grammar.Commands |> List.map fst

    sprintf
        "unknown command '%s' for `%s`: allowed are %s%s%s"
        name
        grammar.Name
        (String.concat ", " known)
        (Suggest.hint known name)
        (seeHelp grammar)

/// "--name=value" as its name and value; any other token as itself.
let private splitAssignment (token: string) =
    match token.IndexOf '=' with
    | i when token.StartsWith "--" && i > 2 -> token.Substring(0, i), Some(token.Substring(i + 1))
    | _ -> token, None

/// Walks the tokens through the command tree: subcommand names, then options that must each be known.
/// A token starting with '-' (other than "-" itself) is an option; "--" ends the options.
let scan (grammar: Grammar) (argv: string list) : Result<Scanned, string> =
    let rec walk (g: Grammar) (tokens: string list) (input: string list) =
        let finish rest =
            Ok
                {
                    Tokens = List.rev tokens
                    Rest = rest
                }

        match input with
        | [] -> finish []
        | "--" :: rest -> finish rest
        | token :: rest when token.StartsWith "-" && token <> "-" ->
            let name, inlineValue = splitAssignment token

            match g.Options |> List.tryFind (fun (n, _) -> n = name), inlineValue with
            | Some(_, Arity.Value), Some value -> walk g (value :: name :: tokens) rest
            | Some(_, Arity.Value), None ->
                match rest with
                | value :: rest' -> walk g (value :: name :: tokens) rest'
                | [] -> walk g (name :: tokens) []
            | Some(_, Arity.Flag), Some value -> Error $"option '{name}' takes no value, got '{value}'{seeHelp g}"
            | Some(_, Arity.Flag), None -> walk g (name :: tokens) rest
            | None, None when List.contains name g.Help -> walk g (name :: tokens) rest
            | None, _ -> Error(unknownOption g name)
        | token :: rest when not g.Commands.IsEmpty ->
            match g.Commands |> List.tryFind (fun (n, _) -> n = token) with
            | Some(_, sub) -> walk sub.Value (token :: tokens) rest
            | None -> Error(unknownCommand g token)
        | token :: rest -> walk g (token :: tokens) rest

    walk grammar [] argv

/// The grammar Argu built from the templates, so the check and the parser never disagree.
let rec ofParser (name: string) (parser: ArgumentParser) : Grammar =
    let cases = parser.GetArgumentCases()

    let options =
        [
            for case in cases do
                if not case.IsMainCommand && case.ArgumentType <> ArgumentType.SubCommand then
                    let arity =
                        if case.UnionCaseInfo.GetFields().Length = 0 then
                            Arity.Flag
                        else
                            Arity.Value

                    for n in case.CommandLineNames.Value -> n, arity
        ]

    let commands =
        [
            for sub in parser.GetSubCommandParsers() do
                match sub.ParentInfo with
                | Some info ->
                    let command = List.head info.CommandLineNames.Value
                    command, lazy (ofParser (name + " " + command) sub)
                | None -> ()
        ]

    {
        Name = name
        Options = options
        Help = parser.HelpFlags
        Commands = commands
    }

/// Every command path of a grammar, the root first: for tests and help listings.
let rec paths (grammar: Grammar) : string list list =
    []
    :: [
        for n, sub in grammar.Commands do
            for p in paths sub.Value -> n :: p
    ]
