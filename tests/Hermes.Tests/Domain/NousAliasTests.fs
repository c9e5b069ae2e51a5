/// reference-2026.md, Everywhere: `image_gen.provider: nous` means FAL through the managed gateway.
module Hermes.Tests.Domain.NousAliasTests

open Xunit
open FsCheck.Xunit
open Hermes.Domain
open Hermes.Tests.Domain.DispatchTests

let nous =
    { Dispatch.emptySettings with
        Provider = Some "nous"
    }

[<Fact>]
let ``era C dispatch: provider nous runs the legacy FAL path through the gateway, even with FAL_KEY`` () =
    Assert.Equal(Decision.LegacyFal(k9b, FalRoute.Gateway), decision nous (facts true true))
    Assert.Equal(Decision.LegacyFal(k9b, FalRoute.Gateway), decision { nous with Provider = Some "  nous " } (facts false true))
    Assert.Equal(Ok(), Dispatch.readiness (facts false true) (decision nous (facts false true)))

[<Fact>]
let ``era C dispatch: provider nous without the gateway is an error saying what fixes it, never FAL_KEY directly`` () =
    match decision nous (facts true false) with
    | Decision.Error(DispatchError.NotAvailable("fal", reason) as e) ->
        Assert.Contains("TOOL_GATEWAY_USER_TOKEN", reason)
        Assert.Equal(ErrorKind.NotAvailable, Dispatch.errorKind e)
    | other -> failwithf "expected not_available, got %A" other

[<Fact>]
let ``era C dispatch: provider nous takes FAL models by the FAL rules`` () =
    let flux = "fal-ai/flux-2-pro"

    let withModel =
        { nous with
            ProviderModels = Map [ "fal", flux ]
        }

    Assert.Equal(Decision.LegacyFal(flux, FalRoute.Gateway), decision withModel (facts false true))

[<Property>]
let ``nous asks FAL for the gateway exactly like use_gateway does`` (useGateway: bool) (provider: string option) =
    let s =
        { Dispatch.emptySettings with
            Provider = provider
            UseGateway = useGateway
        }

    Dispatch.usesGateway s = (useGateway
                              || provider |> Option.exists (fun p -> not (isNull p) && p.Trim() = "nous"))

[<Fact>]
let ``config set image_gen.provider accepts nous`` () =
    Assert.Equal(Ok(), ConfigKeys.validate Catalog.bundled "image_gen.provider" "nous")
