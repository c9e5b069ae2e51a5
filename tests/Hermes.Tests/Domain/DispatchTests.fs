module Hermes.Tests.Domain.DispatchTests

open Xunit
open FsCheck.Xunit
open FsCheck
open FsCheck.FSharp
open Hermes.Domain
open Hermes.Tests.Support

let k9b = FalCatalog.defaultModel

let fixFor (provider: string) = sprintf "%s needs credentials" provider

/// The bundled catalogs; FAL is ready when `falReady`, the others when named in `ready`.
let candidates (falReady: bool) (ready: string list) =
    Catalog.bundled
    |> List.map (fun c ->
        {
            Catalog = c
            Availability =
                if (c.Provider = "fal" && falReady) || List.contains c.Provider ready then
                    Availability.Ready
                else
                    Availability.Missing(fixFor c.Provider)
        })

let facts falKey gateway =
    {
        FalKey = falKey
        Gateway = gateway
        Env = Map.empty
        Providers = candidates (falKey || gateway) []
        ExplicitOnly = []
    }

/// The dispatch facts an environment gives: the FAL key, the gateway rule of the domain and the model env vars.
let factsOfEnv (env: (string * string) list) =
    let get key =
        env |> List.tryFind (fst >> (=) key) |> Option.map snd

    let falKey = (get "FAL_KEY" |> Option.bind Validation.nonBlank).IsSome

    let gateway =
        FalGateway.resolves
            {
                QueueGatewayUrl = get "FAL_QUEUE_GATEWAY_URL"
                Scheme = get "TOOL_GATEWAY_SCHEME"
                Domain = get "TOOL_GATEWAY_DOMAIN"
                UserToken = get "TOOL_GATEWAY_USER_TOKEN"
                NousToken = None
            }

    {
        FalKey = falKey
        Gateway = gateway
        Env = env |> List.filter (fun (key, _) -> key.EndsWith "_IMAGE_MODEL") |> Map
        Providers = candidates (falKey || gateway) []
        ExplicitOnly = []
    }

let settings provider model =
    { Dispatch.emptySettings with
        Provider = provider
        Model = model
    }

let decision s f = (Dispatch.decide s None f).Decision

let parityScenarios = ParityScenarios.names

[<Theory; MemberData(nameof parityScenarios)>]
let ``parity: each scenario of fal-dispatch.md decides the table's reduced shape`` (name: string) =
    let scenario = ParityScenarios.named name
    let outcome = Dispatch.decide scenario.Config None (factsOfEnv scenario.Env)
    Assert.Equal(scenario.Expected, Dispatch.reduce outcome.Decision)

[<Fact>]
let ``parity: explicit-fal-no-creds dispatches to fal, whose readiness says what fixes it`` () =
    let scenario = ParityScenarios.named "explicit-fal-no-creds"
    let f = factsOfEnv scenario.Env

    Assert.Equal(DispatchError.NotAvailable("fal", fixFor "fal"), Dispatch.readiness f (decision scenario.Config f) |> expectError)

[<Fact>]
let ``parity: a typo provider is provider_not_registered, naming the value and the registered names`` () =
    let scenario = ParityScenarios.named "typo-provider"

    match decision scenario.Config (factsOfEnv scenario.Env) with
    | Decision.Error e ->
        Assert.Equal(ErrorKind.ProviderNotRegistered, Dispatch.errorKind e)

        Assert.Equal(
            "image_gen.provider 'not-a-real-backend' is not a registered image provider; registered: fal, xai, openai, openai-codex, gemini",
            Dispatch.errorMessage e
        )
    | other -> failwithf "expected provider_not_registered, got %A" other

[<Fact>]
let ``parity: managed-gateway-only runs the legacy path through the gateway`` () =
    let scenario = ParityScenarios.named "managed-gateway-only"
    Assert.Equal(Decision.LegacyFal(k9b, FalRoute.Gateway), decision scenario.Config (factsOfEnv scenario.Env))

[<Fact>]
let ``unset with no FAL and one other provider signed in goes to that provider`` () =
    let f =
        { facts false false with
            Providers = candidates false [ "xai" ]
        }

    Assert.Equal(Decision.Plugin("xai", "grok-imagine-image"), decision (settings None None) f)

[<Fact>]
let ``unset with nothing at all explains which env var or sign-in fixes it`` () =
    let f = facts false false
    Assert.Equal(DispatchError.NoBackend, Dispatch.readiness f (decision (settings None None) f) |> expectError)
    Assert.Contains("FAL_KEY", Dispatch.noBackendMessage)
    Assert.Contains("hermes auth add xai-oauth", Dispatch.noBackendMessage)

[<Fact>]
let ``an explicit model the provider does not accept is an error naming what it accepts`` () =
    let s = settings (Some "openai") None

    match (Dispatch.decide s (Some "dall-e-3") (facts false false)).Decision with
    | Decision.Error(DispatchError.UnknownModel("openai", bad) as e) ->
        Assert.Equal(
            "invalid model 'dall-e-3': allowed values are gpt-image-2-low, gpt-image-2-medium, gpt-image-2-high, gpt-image-* (provider openai)",
            Dispatch.errorMessage e
        )

        Assert.Equal(ErrorKind.InvalidArgument, Dispatch.errorKind e)
        Assert.Equal("dall-e-3", bad.Value)
    | other -> failwithf "expected unknown_model, got %A" other

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
            Gen.elements
                [
                    "gpt-image-1"
                    "gpt-image-1.5"
                    "gpt-image-"
                    "gpt-image-../x"
                    "dall-e-3"
                    " "
                ]
            |> Gen.map Some
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
                ExplicitOnly = []
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

let catalogOf (f: DispatchFacts) (name: string) =
    (f.Providers |> List.find (fun c -> c.Name = name)).Catalog

[<Property(MaxTest = 1000)>]
let ``an explicit registered name always wins, with a model its catalog accepts`` () =
    Prop.forAll inputs (fun (s, f, explicitModel) ->
        match s.Provider |> Option.bind Validation.nonBlank with
        | Some name when List.contains name registered ->
            let catalog = catalogOf f name

            match (Dispatch.decide s explicitModel f).Decision, explicitModel |> Option.bind Validation.nonBlank with
            | Decision.Plugin(p, model), Some wanted -> p = name && model = wanted && Catalog.accepts catalog model
            | Decision.Plugin(p, model), None -> p = name && Catalog.accepts catalog model
            | Decision.Error(DispatchError.UnknownModel(p, bad)), Some wanted ->
                p = name && bad.Value = wanted && not (Catalog.accepts catalog wanted)
            | _ -> false
        | _ -> true)

[<Property(MaxTest = 1000)>]
let ``any unregistered name is provider_not_registered naming it and the registered names`` () =
    Prop.forAll inputs (fun (s, f, explicitModel) ->
        match s.Provider |> Option.bind Validation.nonBlank with
        | Some name when not (List.contains name registered) ->
            match (Dispatch.decide s explicitModel f).Decision with
            | Decision.Error(DispatchError.ProviderNotRegistered(n, names) as e) ->
                n = name
                && names = registered
                && Dispatch.errorKind e = ErrorKind.ProviderNotRegistered
                && (Dispatch.errorMessage e).Contains(sprintf "'%s'" name)
                && (Dispatch.errorMessage e).EndsWith(String.concat ", " registered)
            | _ -> false
        | _ -> true)

[<Property(MaxTest = 1000)>]
let ``unset with FAL credentials always takes the legacy FAL path`` () =
    Prop.forAll inputs (fun (s, f, _) ->
        let unset = { s with Provider = None }

        match (Dispatch.decide unset None f).Decision with
        | Decision.LegacyFal(model, route) ->
            List.contains model (Catalog.modelIds FalCatalog.catalog)
            && (route <> FalRoute.Unavailable || not (f.FalKey || f.Gateway))
        | Decision.Plugin(p, _) -> not (f.FalKey || f.Gateway) && p <> "fal"
        | Decision.Error _ -> false)

[<Property(MaxTest = 500)>]
let ``a decided plugin that is not ready reports its own fix`` () =
    Prop.forAll inputs (fun (s, f, explicitModel) ->
        match (Dispatch.decide s explicitModel f).Decision with
        | Decision.Plugin(p, _) as d ->
            let candidate = f.Providers |> List.find (fun c -> c.Name = p)

            Dispatch.readiness f d = (match candidate.Availability with
                                      | Availability.Ready -> Ok()
                                      | Availability.Missing fix -> Error(DispatchError.NotAvailable(p, fix)))
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
