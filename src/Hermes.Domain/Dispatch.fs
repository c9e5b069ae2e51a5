namespace Hermes.Domain

/// The image_gen section of config.yaml.
type ImageGenSettings =
    {
        Provider: string option
        Model: string option
        /// image_gen.<provider>.model
        ProviderModels: Map<string, string>
        UseGateway: bool
    }

/// A registered provider as dispatch sees it; the reason says what fixes it when it is not available.
type Candidate =
    {
        Catalog: ProviderCatalog
        Available: bool
        Reason: string
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
    }

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
        | DispatchError.UnknownModel(provider, bad) -> sprintf "%s (provider %s)" bad.Message provider
        | DispatchError.NotAvailable(_, reason) -> reason
        | DispatchError.NoBackend -> noBackendMessage

    let errorKind =
        function
        | DispatchError.ProviderNotRegistered _ -> ErrorKind.ProviderNotRegistered
        | DispatchError.UnknownModel _ -> ErrorKind.InvalidArgument
        | DispatchError.NotAvailable _
        | DispatchError.NoBackend -> ErrorKind.NotAvailable

    /// An explicit model must be in the catalog; otherwise image_gen.<p>.model > image_gen.model > env > default,
    /// where each set-but-unknown value is skipped with a fallback note.
    let resolveModel
        (catalog: ProviderCatalog)
        (settings: ImageGenSettings)
        (explicitModel: string option)
        (env: Map<string, string>)
        : Result<string * Fallback list, DispatchError> =
        let ids = Catalog.modelIds catalog

        match explicitModel |> Option.bind Validation.nonBlank with
        | Some model when List.contains model ids -> Ok(model, [])
        | Some model ->
            Error(
                DispatchError.UnknownModel(
                    catalog.Provider,
                    {
                        Field = "model"
                        Value = model
                        Allowed = ids
                    }
                )
            )
        | None ->
            let candidates =
                [
                    sprintf "image_gen.%s.model" catalog.Provider, settings.ProviderModels |> Map.tryFind catalog.Provider
                    "image_gen.model", settings.Model
                    match catalog.ModelEnvVar with
                    | Some var -> var, env |> Map.tryFind var
                    | None -> "", None
                ]
                |> List.choose (fun (field, value) -> value |> Option.bind Validation.nonBlank |> Option.map (fun v -> field, v))

            let chosen =
                candidates
                |> List.tryFind (fun (_, v) -> List.contains v ids)
                |> Option.map snd
                |> Option.defaultValue catalog.DefaultModel

            let skipped =
                candidates
                |> List.takeWhile (fun (_, v) -> v <> chosen)
                |> List.filter (fun (_, v) -> not (List.contains v ids))
                |> List.map (fun (field, v) ->
                    {
                        Field = field
                        Given = v
                        Used = chosen
                        Allowed = ids
                    })

            Ok(chosen, skipped)

    let private asOutcome decisionOf result =
        match result with
        | Ok(model, warnings) ->
            {
                Decision = decisionOf model
                Warnings = warnings
            }
        | Error e ->
            {
                Decision = Decision.Error e
                Warnings = []
            }

    /// The decision table of fal-dispatch.md. An explicit name always wins (or errors when unknown);
    /// unset goes to the legacy FAL path when FAL can run, else to the first available other provider,
    /// else to the legacy FAL path that reports what is missing.
    let decide (settings: ImageGenSettings) (explicitModel: string option) (facts: DispatchFacts) : DispatchOutcome =
        let registered = facts.Providers |> List.map _.Name

        match settings.Provider |> Option.bind Validation.nonBlank with
        | Some name ->
            match facts.Providers |> List.tryFind (fun c -> c.Name = name) with
            | None ->
                {
                    Decision = Decision.Error(DispatchError.ProviderNotRegistered(name, registered))
                    Warnings = []
                }
            | Some candidate ->
                resolveModel candidate.Catalog settings explicitModel facts.Env
                |> asOutcome (fun model -> Decision.Plugin(name, model))
        | None ->
            let falCatalog =
                facts.Providers
                |> List.tryFind (fun c -> c.Name = Catalog.fal.Provider)
                |> Option.map _.Catalog
                |> Option.defaultValue Catalog.fal

            let route = FalGateway.route facts.FalKey facts.Gateway settings.UseGateway

            let legacy () =
                resolveModel falCatalog settings explicitModel facts.Env
                |> asOutcome (fun model -> Decision.LegacyFal(model, route))

            match route with
            | FalRoute.Direct
            | FalRoute.Gateway -> legacy ()
            | FalRoute.Unavailable ->
                match
                    facts.Providers
                    |> List.tryFind (fun c -> c.Name <> Catalog.fal.Provider && c.Available)
                with
                | Some other ->
                    resolveModel other.Catalog settings explicitModel facts.Env
                    |> asOutcome (fun model -> Decision.Plugin(other.Name, model))
                | None -> legacy ()

    /// Whether the decided backend can run now; the error says which env var or sign-in fixes it.
    let readiness (facts: DispatchFacts) (decision: Decision) : Result<unit, DispatchError> =
        match decision with
        | Decision.Error e -> Error e
        | Decision.LegacyFal(_, FalRoute.Unavailable) -> Error DispatchError.NoBackend
        | Decision.LegacyFal _ -> Ok()
        | Decision.Plugin(name, _) ->
            match facts.Providers |> List.tryFind (fun c -> c.Name = name) with
            | Some c when c.Available -> Ok()
            | Some c -> Error(DispatchError.NotAvailable(name, c.Reason))
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
        | Decision.LegacyFal(model, _) -> Some(Catalog.fal.Provider, model)
        | Decision.Plugin(provider, model) -> Some(provider, model)
        | Decision.Error _ -> None
