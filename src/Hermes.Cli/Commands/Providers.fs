/// `hermes providers`: every registered provider, whether it can run, and what generate would use.
module Hermes.Cli.Commands.Providers

open Argu
open Hermes.Cli
open Hermes.Cli.Args
open Hermes.Domain
open Hermes
open Hermes.Providers.Library

type SetupVariable =
    {
        Key: string
        Prompt: string
        Url: string
    }

type Setup =
    {
        Name: string
        Badge: string
        Tag: string
        EnvVars: SetupVariable list
    }

type ProviderRow =
    {
        Key: string
        Name: string
        DisplayName: string
        /// None when available; else what fixes it.
        Missing: string option
        DefaultModel: string
        Models: string list
        Setup: Setup
    }

/// The dispatch decision generate would take now (the parity harness's reduced shape).
type DispatchRow =
    {
        DispatchKind: string
        ProviderName: string option
        Model: string option
        /// Ok "provider · model" when generate can run, else why not.
        Ready: Result<string, string>
    }

type ProvidersResult =
    {
        Providers: ProviderRow list
        Dispatch: DispatchRow
        Warnings: string list
    }

/// The one place providers calls the library.
let ofLibrary (client: HermesClient) (warnings: string list) : ProvidersResult =
    let plan = client.Plan()
    let reduced = Dispatch.reduce plan.Outcome.Decision

    {
        Providers =
            [
                for s in plan.Statuses ->
                    {
                        Key = s.Key
                        Name = s.Provider.Name
                        DisplayName = s.Provider.DisplayName
                        Missing =
                            match s.Availability with
                            | Availability.Missing fix -> Some fix
                            | Availability.Ready -> None
                        DefaultModel = s.Provider.Catalog.DefaultModel
                        Models = Catalog.modelIds s.Provider.Catalog
                        Setup =
                            {
                                Name = s.Provider.SetupSchema.Name
                                Badge = s.Provider.SetupSchema.Badge
                                Tag = s.Provider.SetupSchema.Tag
                                EnvVars =
                                    [
                                        for v in s.Provider.SetupSchema.EnvVars ->
                                            {
                                                Key = v.Key
                                                Prompt = v.Prompt
                                                Url = v.Url
                                            }
                                    ]
                            }
                    }
            ]
        Dispatch =
            {
                DispatchKind = reduced.DispatchKind
                ProviderName = reduced.ProviderName
                Model = reduced.Model
                Ready =
                    match Dispatch.readiness plan.Facts plan.Outcome.Decision, Dispatch.providerOf plan.Outcome.Decision with
                    | Error e, _ -> Error(Dispatch.errorMessage e)
                    | Ok(), Some(provider, model) -> Ok $"{provider} · {model}"
                    | Ok(), None -> Ok "image"
            }
        Warnings = warnings
    }

let run (_: ParseResults<ProvidersArgs>) : Result<ProvidersResult, CliError> =
    Client.load Client.ConfigUse.Optional
    |> Result.map (fun opened -> ofLibrary opened.Client opened.Warnings)
