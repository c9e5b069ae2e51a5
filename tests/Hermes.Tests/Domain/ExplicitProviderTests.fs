module Hermes.Tests.Domain.ExplicitProviderTests

open FsCheck
open FsCheck.Xunit
open Hermes.Domain

let providers = [ "xai"; "openai"; "fal"; "gemini" ]

[<Property>]
let ``a named provider wins over any explicit keys`` (NonWhiteSpaceString name) (keyed: bool list) =
    let keys = List.zip providers (List.truncate 4 (keyed @ [ false; false; false; false ])) |> List.filter snd |> List.map fst
    ExplicitProvider.choose (Some(" " + name + " ")) keys = Some(name.Trim())

[<Property>]
let ``without a name, exactly one keyed provider is chosen and more or none leave it to dispatch`` (blank: bool) (keyed: bool list) =
    let keys = List.zip providers (List.truncate 4 (keyed @ [ false; false; false; false ])) |> List.filter snd |> List.map fst
    let named = if blank then Some "  " else None

    ExplicitProvider.choose named keys = (match keys with
                                          | [ only ] -> Some only
                                          | _ -> None)

[<Property>]
let ``a key passed twice for the same provider is still one provider`` (NonNegativeInt extra) =
    ExplicitProvider.choose None (List.replicate (extra + 1) "openai") = Some "openai"
