module Hermes.Tests.Domain.DispatchTests

open Xunit
open FsCheck.Xunit
open FsCheck
open FsCheck.FSharp
open Hermes.Domain

let k9b = "fal-ai/flux-2/klein/9b"

let candidates (falReady: bool) (available: string list) =
    Catalog.bundled
    |> List.map (fun c ->
        {
            Catalog = c
            Available =
                (if c.Provider = "fal" then
                     falReady
                 else
                     List.contains c.Provider available)
            Reason = sprintf "%s needs credentials" c.Provider
        })

let facts falKey gateway =
    {
        FalKey = falKey
        Gateway = gateway
        Env = Map.empty
        Providers = candidates (falKey || gateway) []
    }

let settings provider model =
    { Dispatch.emptySettings with
        Provider = provider
        Model = model
    }

let reduced s f =
    (Dispatch.decide s None f).Decision |> Dispatch.reduce

let shape kind provider model error =
    {
        DispatchKind = kind
        ProviderName = provider
        Model = model
        ErrorPresent = error
    }

[<Fact>]
let ``parity: unset`` () =
    Assert.Equal(shape "legacy_fal" None (Some k9b) false, reduced (settings None None) (facts false false))

[<Fact>]
let ``parity: explicit-fal-no-creds`` () =
    let f = facts false false
    let outcome = Dispatch.decide (settings (Some "fal") None) None f
    Assert.Equal(shape "plugin" (Some "fal") (Some k9b) false, Dispatch.reduce outcome.Decision)
    Assert.Equal(Error(DispatchError.NotAvailable("fal", "fal needs credentials")), Dispatch.readiness f outcome.Decision)

[<Fact>]
let ``parity: explicit-fal-with-creds`` () =
    Assert.Equal(shape "plugin" (Some "fal") (Some k9b) false, reduced (settings (Some "fal") None) (facts true false))

[<Fact>]
let ``parity: explicit-fal-with-model`` () =
    Assert.Equal(
        shape "plugin" (Some "fal") (Some "fal-ai/flux-2-pro") false,
        reduced (settings (Some "fal") (Some "fal-ai/flux-2-pro")) (facts true false)
    )

[<Fact>]
let ``parity: typo provider`` () =
    let outcome =
        Dispatch.decide (settings (Some "not-a-real-backend") None) None (facts true false)

    Assert.Equal(shape "error" None None true, Dispatch.reduce outcome.Decision)

    match outcome.Decision with
    | Decision.Error e ->
        Assert.Equal("provider_not_registered", ErrorKind.toWire (Dispatch.errorKind e))

        Assert.Equal(
            "image_gen.provider 'not-a-real-backend' is not a registered image provider; registered: fal, xai, openai, openai-codex",
            Dispatch.errorMessage e
        )
    | other -> failwithf "%A" other

[<Fact>]
let ``parity: managed-gateway-only runs the legacy path through the gateway`` () =
    let outcome = Dispatch.decide (settings None None) None (facts false true)
    Assert.Equal(shape "legacy_fal" None (Some k9b) false, Dispatch.reduce outcome.Decision)
    Assert.Equal(Decision.LegacyFal(k9b, FalRoute.Gateway), outcome.Decision)

[<Fact>]
let ``unset with no FAL and one other provider signed in goes to that provider`` () =
    let f =
        { facts false false with
            Providers = candidates false [ "xai" ]
        }

    Assert.Equal(Decision.Plugin("xai", "grok-imagine-image"), (Dispatch.decide (settings None None) None f).Decision)

[<Fact>]
let ``unset with nothing at all explains which env var or sign-in fixes it`` () =
    let f = facts false false
    let decision = (Dispatch.decide (settings None None) None f).Decision
    Assert.Equal(Error DispatchError.NoBackend, Dispatch.readiness f decision)
    Assert.Contains("FAL_KEY", Dispatch.noBackendMessage)
    Assert.Contains("hermes auth add xai-oauth", Dispatch.noBackendMessage)

[<Fact>]
let ``model precedence: provider scope, then image_gen.model, then env, then default`` () =
    let s =
        { Dispatch.emptySettings with
            Provider = Some "openai"
            Model = Some "gpt-image-2-low"
            ProviderModels = Map [ "openai", "gpt-image-2-high" ]
        }

    let f =
        { facts false false with
            Env = Map [ "OPENAI_IMAGE_MODEL", "gpt-image-2-medium" ]
        }

    Assert.Equal(Decision.Plugin("openai", "gpt-image-2-high"), (Dispatch.decide s None f).Decision)
    Assert.Equal(Decision.Plugin("openai", "gpt-image-2-low"), (Dispatch.decide { s with ProviderModels = Map.empty } None f).Decision)

    Assert.Equal(
        Decision.Plugin("openai", "gpt-image-2-medium"),
        (Dispatch.decide
            { s with
                ProviderModels = Map.empty
                Model = None
            }
            None
            f)
            .Decision
    )

[<Fact>]
let ``an unknown configured model falls back with a note, an explicit one is an error`` () =
    let s = settings (Some "openai") (Some "gpt-image-2-ultra")
    let outcome = Dispatch.decide s None (facts false false)
    Assert.Equal(Decision.Plugin("openai", "gpt-image-2-medium"), outcome.Decision)
    Assert.Equal<string list>([ "image_gen.model" ], outcome.Warnings |> List.map _.Field)

    match (Dispatch.decide s (Some "gpt-image-3") (facts false false)).Decision with
    | Decision.Error(DispatchError.UnknownModel("openai", bad)) ->
        Assert.Equal("invalid model 'gpt-image-3': allowed values are gpt-image-2-low, gpt-image-2-medium, gpt-image-2-high", bad.Message)
    | other -> failwithf "%A" other

[<Fact>]
let ``an unknown FAL model from config falls back to klein with a note`` () =
    let outcome =
        Dispatch.decide (settings None (Some "fal-ai/imagen-9")) None (facts true false)

    Assert.Equal(Decision.LegacyFal(k9b, FalRoute.Direct), outcome.Decision)
    Assert.Equal<string list>([ "fal-ai/imagen-9" ], outcome.Warnings |> List.map _.Given)

let registered = Catalog.bundled |> List.map _.Provider
let allModelIds = Catalog.bundled |> List.collect Catalog.modelIds

let providerGen =
    Gen.oneof
        [
            Gen.constant None
            Gen.elements registered |> Gen.map Some
            Gen.elements registered |> Gen.map (fun n -> Some("  " + n + " "))
            Gen.elements
                [
                    Some "FAL"
                    Some "Xai"
                    Some "not-a-real-backend"
                    Some "openai_codex"
                    Some "   "
                ]
            ArbMap.defaults |> ArbMap.generate<string> |> Gen.map Option.ofObj
        ]

let modelGen =
    Gen.oneof
        [
            Gen.constant None
            Gen.elements allModelIds |> Gen.map Some
            ArbMap.defaults |> ArbMap.generate<string> |> Gen.map Option.ofObj
        ]

let settingsGen =
    gen {
        let! provider = providerGen
        let! model = modelGen
        let! scoped = Gen.listOf (Gen.zip (Gen.elements registered) (Gen.elements allModelIds))
        let! useGateway = ArbMap.defaults |> ArbMap.generate<bool>

        return
            {
                Provider = provider
                Model = model
                ProviderModels = Map scoped
                UseGateway = useGateway
            }
    }

let factsGen =
    gen {
        let! falKey = ArbMap.defaults |> ArbMap.generate<bool>
        let! gateway = ArbMap.defaults |> ArbMap.generate<bool>
        let! available = Gen.subListOf registered

        let! envModels =
            Gen.listOf (
                Gen.zip
                    (Gen.elements [ "FAL_IMAGE_MODEL"; "OPENAI_IMAGE_MODEL"; "XAI_IMAGE_MODEL" ])
                    (Gen.oneof [ Gen.elements allModelIds; Gen.constant "junk" ])
            )

        return
            {
                FalKey = falKey
                Gateway = gateway
                Env = Map envModels
                Providers = candidates (falKey || gateway) available
            }
    }

let inputs = Arb.fromGen (Gen.zip3 settingsGen factsGen modelGen)

[<Property(MaxTest = 1000)>]
let ``dispatch is deterministic and total`` () =
    Prop.forAll inputs (fun (s, f, explicitModel) ->
        let first = Dispatch.decide s explicitModel f

        first = Dispatch.decide s explicitModel f
        && (Dispatch.readiness f first.Decision |> ignore
            true))

[<Property(MaxTest = 1000)>]
let ``an explicit registered name always wins, with a model from its catalog`` () =
    Prop.forAll inputs (fun (s, f, _) ->
        match s.Provider |> Option.bind Validation.nonBlank with
        | Some name when List.contains name registered ->
            match (Dispatch.decide s None f).Decision with
            | Decision.Plugin(p, model) ->
                p = name
                && List.contains model (Catalog.modelIds (Catalog.tryFind p |> Option.get))
            | _ -> false
        | _ -> true)

[<Property(MaxTest = 1000)>]
let ``a typo never silently falls back to FAL`` () =
    Prop.forAll inputs (fun (s, f, explicitModel) ->
        match s.Provider |> Option.bind Validation.nonBlank with
        | Some name when not (List.contains name registered) ->
            match (Dispatch.decide s explicitModel f).Decision with
            | Decision.Error(DispatchError.ProviderNotRegistered(n, names)) -> n = name && names = registered
            | _ -> false
        | _ -> true)

[<Property(MaxTest = 1000)>]
let ``unset with FAL credentials always takes the legacy FAL path`` () =
    Prop.forAll inputs (fun (s, f, _) ->
        let unset = { s with Provider = None }

        match (Dispatch.decide unset None f).Decision with
        | Decision.LegacyFal(model, route) ->
            List.contains model (Catalog.modelIds Catalog.fal)
            && (route <> FalRoute.Unavailable || not (f.FalKey || f.Gateway))
        | Decision.Plugin(p, _) -> not (f.FalKey || f.Gateway) && p <> "fal"
        | Decision.Error _ -> false)

[<Property(MaxTest = 500)>]
let ``a decided plugin that is not available reports its own reason`` () =
    Prop.forAll inputs (fun (s, f, explicitModel) ->
        match (Dispatch.decide s explicitModel f).Decision with
        | Decision.Plugin(p, _) as d ->
            let candidate = f.Providers |> List.find (fun c -> c.Name = p)

            Dispatch.readiness f d = (if candidate.Available then
                                          Ok()
                                      else
                                          Error(DispatchError.NotAvailable(p, candidate.Reason)))
        | _ -> true)

[<Fact>]
let ``the FAL route follows the key, the gateway and use_gateway`` () =
    Assert.Equal(FalRoute.Direct, FalGateway.route true false false)
    Assert.Equal(FalRoute.Direct, FalGateway.route true true false)
    Assert.Equal(FalRoute.Gateway, FalGateway.route true true true)
    Assert.Equal(FalRoute.Direct, FalGateway.route true false true)
    Assert.Equal(FalRoute.Gateway, FalGateway.route false true false)
    Assert.Equal(FalRoute.Unavailable, FalGateway.route false false true)

[<Fact>]
let ``gateway origin and token`` () =
    let none =
        {
            QueueGatewayUrl = None
            Scheme = None
            Domain = None
            UserToken = None
            NousToken = None
        }

    Assert.Equal("https://fal-queue-gateway.nousresearch.com", FalGateway.origin none)

    Assert.Equal(
        "https://fal-queue-gateway.example.org",
        FalGateway.origin
            { none with
                Domain = Some "example.org"
            }
    )

    Assert.Equal(
        "http://127.0.0.1:9/q",
        FalGateway.origin
            { none with
                QueueGatewayUrl = Some "http://127.0.0.1:9/q/"
            }
    )

    Assert.False(FalGateway.resolves none)
    Assert.Equal(Some "nous", FalGateway.token { none with NousToken = Some "nous" })

    Assert.Equal(
        Some "env",
        FalGateway.token
            { none with
                NousToken = Some "nous"
                UserToken = Some "env"
            }
    )
