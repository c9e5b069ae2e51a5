/// `hermes models`: the catalog of every provider, or of one.
module Hermes.Cli.Commands.Models

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
    }

type ModelsResult =
    {
        Models: ModelRow list
        Warnings: string list
    }

/// The one place models calls the library: the registry's catalogs, or a refusal with did-you-mean.
let ofLibrary (client: HermesClient) (provider: string option) : Result<ModelRow list, CliError> =
    let all = List.ofSeq client.Registry.All
    let names = all |> List.map _.Name

    let chosen =
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

    chosen
    |> Result.map (fun providers ->
        [
            for p: IImageGenProvider in providers do
                for m in p.Catalog.Models ->
                    {
                        Provider = p.Name
                        Id = m.Id
                        Display = m.Display
                        Speed = m.Speed
                        Strengths = m.Strengths
                        Default = (m.Id = p.Catalog.DefaultModel)
                    }
        ])

let run (args: ParseResults<ModelsArgs>) : Result<ModelsResult, CliError> =
    Client.load Client.ConfigUse.Optional
    |> Result.bind (fun opened ->
        ofLibrary opened.Client (args.TryGetResult ModelsArgs.Provider)
        |> Result.map (fun models ->
            {
                Models = models
                Warnings = opened.Warnings
            }))
