module Hermes.Tests.Cli.GenerateResultTests

open Xunit
open FsCheck
open FsCheck.FSharp
open FsCheck.Xunit
open Hermes.Cli
open Hermes.Cli.Commands.Generate
open Hermes.Domain

let private result (images: int) (kinds: ErrorKind list) =
    {
        Images = List.init images (sprintf "/cache/%d.png")
        Failures = kinds |> List.map (fun k -> { Error = "it failed"; Kind = k })
        Provider = Some "xai"
        Model = Some "grok-imagine-image"
        Prompt = "a fox"
        AspectRatio = "landscape"
        Extras = []
    }

[<Property>]
let ``generate exits 0 when all images were made, 130 when cancelled, 6 when some were, else the first failure's code``
    (images: byte)
    (kinds: ErrorKind list)
    =
    let images = int images % 5
    let r = result images kinds

    let expected =
        if List.contains ErrorKind.Cancelled kinds then 130
        elif kinds.IsEmpty && images > 0 then 0
        elif kinds.IsEmpty then 4
        elif images > 0 then 6
        else ExitCode.ofKind kinds.Head

    exitCode r = expected && (problem r).IsNone = (expected = 0)

[<Fact>]
let ``a partial result names how many failed and is typed partial`` () =
    let r = result 3 [ ErrorKind.RateLimited ]
    Assert.Equal(Some("1 of 4 images failed: it failed", "partial"), problem r)

[<Property>]
let ``after Ctrl-C a result keeps its images and reports cancelled unless everything was made`` (images: byte) (kinds: ErrorKind list) =
    let images = int images % 5
    let after = cancelled (result images kinds)

    after.Images.Length = images
    && (if kinds.IsEmpty && images > 0 then
            exitCode after = 0
        else
            exitCode after = 130 && problem after = Some("cancelled", "cancelled"))

[<Fact>]
let ``the dispatch's refusals carry did-you-mean`` () =
    Assert.Equal("; did you mean 'xai'?", hint (DispatchError.ProviderNotRegistered("xia", [ "fal"; "xai" ])))

    Assert.Equal(
        "; did you mean 'grok-imagine-image'?",
        hint (
            DispatchError.UnknownModel(
                "xai",
                {
                    Field = "model"
                    Value = "grok-imagine-imag"
                    Allowed = [ "grok-imagine-image" ]
                }
            )
        )
    )

    Assert.Equal("", hint DispatchError.NoBackend)

[<Fact>]
let ``an overridden base URL must be absolute http or https`` () =
    Assert.Equal(Ok(), checkBaseUrl "XAI_BASE_URL" "http://127.0.0.1:8080/v1")
    Assert.Equal(Ok(), checkBaseUrl "XAI_BASE_URL" "https://api.x.ai/v1")

    for bad in [ "ht!tp://bad url"; "api.x.ai/v1"; "ftp://x"; "/v1" ] do
        match checkBaseUrl "XAI_BASE_URL" bad with
        | Error e ->
            Assert.Equal(sprintf "invalid XAI_BASE_URL '%s': allowed values are an absolute http(s) URL" bad, CliError.message e)
            Assert.Equal(2, CliError.exitCode e)
        | Ok() -> failwithf "accepted %s" bad
