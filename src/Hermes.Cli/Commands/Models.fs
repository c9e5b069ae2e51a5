/// `hermes models`: the catalog of every provider, or of one.
module Hermes.Cli.Commands.Models

open System.Threading
open System.Threading.Tasks
open Argu
open Hermes.Cli
open Hermes.Cli.Args
open Hermes.Domain
open Hermes.Providers.Core
open Hermes.Providers.Library

type ModelRow =
    {
        Provider: string
        Id: string
        Display: string
        Speed: string
        Strengths: string
        Default: bool
        /// Described by Hermes; false for an id only the provider's live list names.
        Curated: bool
        /// What the model takes in an edit; None when it cannot edit.
        Edit: EditSupport option
    }

type ModelsResult =
    {
        Models: ModelRow list
        Warnings: string list
    }

/// Whether Hermes describes this model itself: every model of a static catalog, only the bundled ids of a live one.
let private curated (provider: string) (id: string) =
    match Catalog.bundled |> List.tryFind (fun c -> c.Provider = provider) with
    | Some bundled -> List.contains id (Catalog.modelIds bundled)
    | None -> true

/// A catalog entry of a provider as a row: its default flag, whether it is curated, and its edit limits.
let row (p: IImageGenProvider) (m: ModelInfo) : ModelRow =
    {
        Provider = p.Name
        Id = m.Id
        Display = m.Display
        Speed = m.Speed
        Strengths = m.Strengths
        Default = (m.Id = p.Catalog.DefaultModel)
        Curated = curated p.Name m.Id
        Edit = Option.ofObj (p.EditSupportFor m.Id)
    }

/// The providers asked for, or a refusal with did-you-mean.
let private chosen (client: HermesClient) (provider: string option) : Result<IImageGenProvider list, CliError> =
    let all = List.ofSeq client.Registry.All
    let names = all |> List.map _.Name

    match provider with
    | None -> Ok all
    | Some name ->
        match all |> List.tryFind (fun p -> p.Name = name) with
        | Some p -> Ok [ p ]
        | None ->
            let bad =
                {
                    Field = "provider"
                    Value = name
                    Allowed = names
                }

            Error(CliError.Library(HermesError(ErrorKind.InvalidArgument, bad.Message + Suggest.hint names name)))

/// A provider's rows as its catalog knows them, without a request.
let private staticRows (p: IImageGenProvider) =
    [ for m in p.Catalog.Models -> row p m ]

/// The one place models calls the library: the registry's catalogs (never a request), or a refusal with did-you-mean.
let ofLibrary (client: HermesClient) (provider: string option) : Result<ModelRow list, CliError> =
    chosen client provider |> Result.map (List.collect staticRows)

/// One provider's rows; a provider with a live list is asked for it (its static list when that fails).
let private listed (p: IImageGenProvider) (ct: CancellationToken) : Task<ModelRow list> =
    match p with
    | :? ILiveModelCatalog as live ->
        task {
            let! models = live.ListModelsAsync ct
            return [ for m in models -> row p m ]
        }
    | _ -> Task.FromResult(staticRows p)

let run (args: ParseResults<ModelsArgs>) (ct: CancellationToken) : Task<Result<ModelsResult, CliError>> =
    let opened = Client.load Client.ConfigUse.Optional

    match
        opened
        |> Result.bind (fun o ->
            chosen o.Client (args.TryGetResult ModelsArgs.Provider)
            |> Result.map (fun ps -> o, ps))
    with
    | Error failure -> Task.FromResult(Error failure)
    | Ok(o, providers) ->
        task {
            // Only a named provider is asked live, so `hermes models` alone sends nothing.
            let! rows =
                match args.TryGetResult ModelsArgs.Provider with
                | Some _ -> providers |> List.map (fun p -> listed p ct) |> Task.WhenAll
                | None -> Task.FromResult(providers |> List.map staticRows |> Array.ofList)

            return
                Ok
                    {
                        Models = List.concat rows
                        Warnings = o.Warnings
                    }
        }
