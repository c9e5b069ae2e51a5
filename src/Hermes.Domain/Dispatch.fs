namespace Hermes.Domain

/// Whether a provider can run now; when it cannot, the one line that says what fixes it.
[<RequireQualifiedAccess>]
type Availability =
    | Ready
    | Missing of fix: string

/// A registered provider as dispatch sees it.
type Candidate =
    {
        Catalog: ProviderCatalog
        Availability: Availability
    }

    member this.Name = this.Catalog.Provider

type DispatchFacts =
    {
        FalKey: bool
        Gateway: bool
        /// Model-picking environment variables (FAL_IMAGE_MODEL, OPENAI_IMAGE_MODEL, XAI_IMAGE_MODEL).
        Env: Map<string, string>
        /// Registered providers, in registration order.
        Providers: Candidate list
        /// Providers that run only when named (the endpoints of config.yaml): never the first-ready pick.
        ExplicitOnly: string list
    }

/// What image_gen.provider names, against the registry.
[<RequireQualifiedAccess>]
type ProviderSetting =
    | Unset
    | Registered of Candidate
    | NotRegistered of name: string

[<RequireQualifiedAccess>]
type DispatchError =
    | ProviderNotRegistered of name: string * registered: string list
    | UnknownModel of provider: string * bad: BadValue
    | NotAvailable of provider: string * reason: string
    | NoBackend

[<RequireQualifiedAccess>]
type Decision =
    | LegacyFal of model: string * route: FalRoute
    | Plugin of provider: string * model: string
    | Error of DispatchError

type DispatchOutcome =
    {
        Decision: Decision
        Warnings: Fallback list
    }

/// The parity harness's reduced shape.
type ReducedDecision =
    {
        DispatchKind: string
        ProviderName: string option
        Model: string option
        ErrorPresent: bool
    }

module Dispatch =

    let emptySettings =
        {
            Provider = None
            Model = None
            ProviderModels = Map.empty
            UseGateway = false
        }

    let noBackendMessage =
        "no image provider is available: set FAL_KEY (https://fal.ai/dashboard/keys), XAI_API_KEY or OPENAI_API_KEY, run `hermes auth add xai-oauth`, sign in with `codex login`, or set TOOL_GATEWAY_USER_TOKEN for the Nous gateway"

    let errorMessage =
        function
        | DispatchError.ProviderNotRegistered(name, registered) ->
            sprintf "image_gen.provider '%s' is not a registered image provider; registered: %s" name (String.concat ", " registered)
        | DispatchError.UnknownModel(provider, bad) -> $"{bad.Message} (provider {provider})"
        | DispatchError.NotAvailable(_, reason) -> reason
        | DispatchError.NoBackend -> noBackendMessage

    let errorKind =
        function
        | DispatchError.ProviderNotRegistered _ -> ErrorKind.ProviderNotRegistered
        | DispatchError.UnknownModel _ -> ErrorKind.InvalidArgument
        | DispatchError.NotAvailable _
        | DispatchError.NoBackend -> ErrorKind.NotAvailable

    /// `image_gen.provider: nous` names FAL through the Nous managed gateway (era C); no provider is registered under it.
    let nousAlias = "nous"

    let isNous (settings: ImageGenSettings) =
        settings.Provider |> Option.bind Validation.nonBlank = Some nousAlias

    /// Whether FAL must go through the managed gateway: image_gen.use_gateway, or the nous alias.
    let usesGateway (settings: ImageGenSettings) = settings.UseGateway || isNous settings

    let nousUnavailableMessage =
        "image_gen.provider is 'nous' (FAL through the Nous tool gateway) but the gateway is not available: set TOOL_GATEWAY_USER_TOKEN or sign in to Nous, or set image_gen.provider to fal with FAL_KEY"

    /// The configured name, trimmed and matched case-sensitively against the registry.
    let setting (settings: ImageGenSettings) (facts: DispatchFacts) =
        match settings.Provider |> Option.bind Validation.nonBlank with
        | None -> ProviderSetting.Unset
        | Some name ->
            match facts.Providers |> List.tryFind (fun c -> c.Name = name) with
            | Some candidate -> ProviderSetting.Registered candidate
            | None -> ProviderSetting.NotRegistered name

    /// The decision table of fal-dispatch.md (and ref-fal-dispatch.md §10 where it agrees): the provider setting,
    /// the FAL route and the first other ready provider decide the backend; ModelPrecedence then picks its model.
    let decide (settings: ImageGenSettings) (explicitModel: string option) (facts: DispatchFacts) : DispatchOutcome =
        let falCatalog =
            facts.Providers
            |> List.tryFind (fun c -> c.Name = FalCatalog.catalog.Provider)
            |> Option.map _.Catalog
            |> Option.defaultValue FalCatalog.catalog

        let otherReady =
            facts.Providers
            |> List.tryFind (fun c ->
                c.Name <> falCatalog.Provider
                && c.Availability = Availability.Ready
                && not (List.contains c.Name facts.ExplicitOnly))

        let withModel (catalog: ProviderCatalog) decisionOf =
            match ModelPrecedence.resolve catalog settings explicitModel facts.Env with
            | Ok(model, warnings) ->
                {
                    Decision = decisionOf model
                    Warnings = warnings
                }
            | Error bad ->
                {
                    Decision = Decision.Error(DispatchError.UnknownModel(catalog.Provider, bad))
                    Warnings = []
                }

        let legacy route =
            withModel falCatalog (fun model -> Decision.LegacyFal(model, route))

        let plugin (candidate: Candidate) =
            withModel candidate.Catalog (fun model -> Decision.Plugin(candidate.Name, model))

        // nous: the legacy FAL path through the gateway only, never FAL_KEY directly
        if isNous settings then
            if facts.Gateway then
                legacy FalRoute.Gateway
            else
                {
                    Decision = Decision.Error(DispatchError.NotAvailable(falCatalog.Provider, nousUnavailableMessage))
                    Warnings = []
                }
        else
            match setting settings facts, FalGateway.route facts.FalKey facts.Gateway settings.UseGateway, otherReady with
            // typo provider: an error naming the value and the registered names, never a silent fallback
            | ProviderSetting.NotRegistered name, _, _ ->
                {
                    Decision = Decision.Error(DispatchError.ProviderNotRegistered(name, facts.Providers |> List.map _.Name))
                    Warnings = []
                }
            // explicit-fal-*, and any other registered name: that provider with its own model rules, ready or not
            | ProviderSetting.Registered candidate, _, _ -> plugin candidate
            // unset, managed-gateway-only: the legacy FAL path, direct with FAL_KEY or through the gateway
            | ProviderSetting.Unset, (FalRoute.Direct | FalRoute.Gateway as route), _ -> legacy route
            // unset without FAL credentials: the first other ready provider (era B offers the tool through any available one)
            | ProviderSetting.Unset, FalRoute.Unavailable, Some other -> plugin other
            // unset with nothing ready: the legacy path, whose readiness names FAL_KEY and the other fixes
            | ProviderSetting.Unset, FalRoute.Unavailable, None -> legacy FalRoute.Unavailable

    /// Whether the decided backend can run now; the error says which env var or sign-in fixes it.
    let readiness (facts: DispatchFacts) (decision: Decision) : Result<unit, DispatchError> =
        match decision with
        | Decision.Error e -> Error e
        | Decision.LegacyFal(_, FalRoute.Unavailable) ->
            // a ready endpoint is not picked on its own, but the user should learn that naming it would run
            match
                facts.Providers
                |> List.filter (fun c -> List.contains c.Name facts.ExplicitOnly && c.Availability = Availability.Ready)
            with
            | [] -> Error DispatchError.NoBackend
            | ready ->
                let names = ready |> List.map _.Name

                Error(
                    DispatchError.NotAvailable(
                        FalCatalog.catalog.Provider,
                        sprintf
                            "%s; a configured endpoint runs only when named: --provider %s (or image_gen.provider)"
                            noBackendMessage
                            (String.concat " or --provider " names)
                    )
                )
        | Decision.LegacyFal _ -> Ok()
        | Decision.Plugin(name, _) ->
            match
                facts.Providers
                |> List.tryFind (fun c -> c.Name = name)
                |> Option.map _.Availability
            with
            | Some Availability.Ready -> Ok()
            | Some(Availability.Missing fix) -> Error(DispatchError.NotAvailable(name, fix))
            | None -> Error(DispatchError.ProviderNotRegistered(name, facts.Providers |> List.map _.Name))

    let reduce (decision: Decision) : ReducedDecision =
        match decision with
        | Decision.LegacyFal(model, _) ->
            {
                DispatchKind = "legacy_fal"
                ProviderName = None
                Model = Some model
                ErrorPresent = false
            }
        | Decision.Plugin(provider, model) ->
            {
                DispatchKind = "plugin"
                ProviderName = Some provider
                Model = Some model
                ErrorPresent = false
            }
        | Decision.Error _ ->
            {
                DispatchKind = "error"
                ProviderName = None
                Model = None
                ErrorPresent = true
            }

    /// The provider that runs a decision: the legacy path runs the FAL provider.
    let providerOf =
        function
        | Decision.LegacyFal(model, _) -> Some(FalCatalog.catalog.Provider, model)
        | Decision.Plugin(provider, model) -> Some(provider, model)
        | Decision.Error _ -> None
