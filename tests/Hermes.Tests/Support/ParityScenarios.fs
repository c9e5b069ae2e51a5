/// The parity scenarios of fal-dispatch.md, once: the domain, library and CLI tests all run this list.
module Hermes.Tests.Support.ParityScenarios

open Hermes.Domain

type ParityScenario =
    {
        Name: string
        /// image_gen.provider and image_gen.model; the other settings stay empty.
        Config: ImageGenSettings
        /// The whole environment: FAL_KEY, FAL_QUEUE_GATEWAY_URL, TOOL_GATEWAY_*, FAL_IMAGE_MODEL are cleared before each scenario.
        Env: (string * string) list
        Expected: ReducedDecision
    }

let k9b = FalCatalog.defaultModel

let shape kind provider model error =
    {
        DispatchKind = kind
        ProviderName = provider
        Model = model
        ErrorPresent = error
    }

let private config provider model =
    { Dispatch.emptySettings with
        Provider = provider
        Model = model
    }

let scenarios: ParityScenario list =
    [
        {
            Name = "unset"
            Config = config None None
            Env = []
            Expected = shape "legacy_fal" None (Some k9b) false
        }
        {
            Name = "explicit-fal-no-creds"
            Config = config (Some "fal") None
            Env = []
            Expected = shape "plugin" (Some "fal") (Some k9b) false
        }
        {
            Name = "explicit-fal-with-creds"
            Config = config (Some "fal") None
            Env = [ "FAL_KEY", "test-key" ]
            Expected = shape "plugin" (Some "fal") (Some k9b) false
        }
        {
            Name = "explicit-fal-with-model"
            Config = config (Some "fal") (Some "fal-ai/flux-2-pro")
            Env = [ "FAL_KEY", "test-key" ]
            Expected = shape "plugin" (Some "fal") (Some "fal-ai/flux-2-pro") false
        }
        {
            Name = "typo-provider"
            Config = config (Some "not-a-real-backend") None
            Env = [ "FAL_KEY", "test-key" ]
            Expected = shape "error" None None true
        }
        {
            Name = "managed-gateway-only"
            Config = config None None
            Env =
                [
                    "TOOL_GATEWAY_DOMAIN", "nousresearch.com"
                    "TOOL_GATEWAY_USER_TOKEN", "nous-token"
                ]
            Expected = shape "legacy_fal" None (Some k9b) false
        }
    ]

/// The scenario's config.yaml.
let yaml (scenario: ParityScenario) =
    let lines =
        [
            scenario.Config.Provider |> Option.map (sprintf "  provider: %s\n")
            scenario.Config.Model |> Option.map (sprintf "  model: %s\n")
        ]
        |> List.choose id

    if List.isEmpty lines then
        ""
    else
        "image_gen:\n" + String.concat "" lines

/// For xunit theories: one row per scenario, by name.
let names = scenarios |> List.map (fun s -> [| box s.Name |])

let named (name: string) =
    scenarios |> List.find (fun s -> s.Name = name)
