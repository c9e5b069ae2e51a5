module Hermes.Tests.Cli.SuggestTests

open Xunit
open FsCheck
open FsCheck.FSharp
open FsCheck.Xunit
open Hermes.Cli

let private word =
    Gen.elements [ 'a' .. 'z' ]
    |> Gen.nonEmptyListOf
    |> Gen.map (List.truncate 12 >> Array.ofList >> System.String)

[<Property>]
let ``edit distance is a metric`` () =
    Prop.forAll (Arb.fromGen (Gen.three word)) (fun (a, b, c) ->
        Suggest.distance a a = 0
        && Suggest.distance a b = Suggest.distance b a
        && Suggest.distance a c <= Suggest.distance a b + Suggest.distance b c
        && Suggest.distance a b >= abs (a.Length - b.Length)
        && Suggest.distance a b <= max a.Length b.Length)

/// One insertion, deletion or substitution at a position.
let private typo =
    gen {
        let! name = word |> Gen.filter (fun w -> w.Length >= 3)
        let! at = Gen.choose (0, name.Length - 1)
        let! letter = Gen.elements [ 'a' .. 'z' ]
        let! edit = Gen.elements [ 0; 1; 2 ]

        let typed =
            match edit with
            | 0 -> name.Insert(at, string letter)
            | 1 -> name.Remove(at, 1)
            | _ -> name.Remove(at, 1).Insert(at, string letter)

        return name, typed
    }

[<Property>]
let ``a one-edit typo of a name of three or more letters is answered with a name one edit away`` () =
    Prop.forAll (Arb.fromGen (Gen.zip typo (Gen.listOf word))) (fun ((name, typed), others) ->
        let candidates = name :: others

        match Suggest.closest candidates typed with
        | Some suggested -> List.contains suggested candidates && Suggest.distance typed suggested <= 1
        | None -> false)

[<Property>]
let ``a suggestion is always a candidate, never farther than two edits or a third of the name`` () =
    Prop.forAll (Arb.fromGen (Gen.zip word (Gen.listOf word))) (fun (given, candidates) ->
        match Suggest.closest candidates given with
        | Some suggested ->
            List.contains suggested candidates
            && Suggest.distance given suggested <= max 2 (given.Length / 3)
            && Suggest.distance given suggested < given.Length
        | None ->
            candidates
            |> List.forall (fun c ->
                Suggest.distance given c > max 2 (given.Length / 3)
                || Suggest.distance given c >= given.Length))

[<Fact>]
let ``flags compare without dashes or case; a letter alone or a far word suggests nothing`` () =
    let flags = [ "--provider"; "--model"; "--count"; "--json"; "--help"; "-h" ]
    Assert.Equal(Some "--model", Suggest.closest flags "--modle")
    Assert.Equal(Some "--json", Suggest.closest flags "--JSN")
    Assert.Equal(None, Suggest.closest flags "-x")
    Assert.Equal(None, Suggest.closest flags "--fox")
    Assert.Equal("; did you mean 'xai'?", Suggest.hint [ "fal"; "xai"; "openai" ] "xia")
    Assert.Equal("", Suggest.hint [ "fal"; "xai"; "openai" ] "grok")
