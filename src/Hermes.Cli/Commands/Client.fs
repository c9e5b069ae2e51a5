/// Opening the library for a command: the environment, config.yaml and the bundled providers.
module Hermes.Cli.Commands.Client

open System
open Hermes.Cli
open Hermes.Domain
open Hermes.Providers.Config
open Hermes.Providers.Core
open Hermes.Providers.Library

/// Whether a command can run on defaults when config.yaml cannot be read.
[<RequireQualifiedAccess>]
type ConfigUse =
    | Required
    | Optional

/// A client, and warnings for the command to show (config.yaml ignored).
type Opened =
    {
        Client: HermesClient
        Warnings: string list
    }

/// The library's Either as a Result.
let either (value: LanguageExt.Either<'L, 'R>) : Result<'R, 'L> =
    value.Match(Func<'R, Result<'R, 'L>>(Ok), Func<'L, Result<'R, 'L>>(Error))

/// The default context when config.yaml is unreadable: the same environment, issuer override included.
let private withoutConfig (env: HermesEnvironment) =
    match env.Variables.TryGetValue "HERMES_XAI_OAUTH_ISSUER" with
    | true, issuer when issuer.Trim() <> "" ->
        XaiOAuth.issuerOverride issuer
        |> Result.map (fun (discovery, policy) ->
            HermesContext(
                env,
                HermesConfig.Empty,
                Terminal.loggerFactory (),
                XaiDiscoveryUrl = discovery,
                EndpointPolicy = policy
            ))
        |> Result.mapError (HermesError.Invalid >> CliError.Library)
    | _ -> Ok(HermesContext(env, HermesConfig.Empty, Terminal.loggerFactory ()))

/// The client of this process. An unreadable config.yaml stops commands that need it (exit 5, the file named);
/// the others run on defaults with a warning.
let load (configUse: ConfigUse) : Result<Opened, CliError> =
    let env = HermesEnvironment.FromProcess()

    match either (HermesConfig.Load env.HermesHome), configUse with
    | Ok _, _ ->
        either (HermesClient.FromEnvironment(Terminal.loggerFactory ()))
        |> Result.map (fun client -> { Client = client; Warnings = [] })
        |> Result.mapError CliError.Library
    | Error unreadable, ConfigUse.Required ->
        Error(
            CliError.Config(
                unreadable.Message
                + "; fix it, or replace it with `hermes config set KEY VALUE --force`"
            )
        )
    | Error unreadable, ConfigUse.Optional ->
        withoutConfig env
        |> Result.map (fun context ->
            {
                Client = HermesClient context
                Warnings = [ unreadable.Message + "; using the defaults" ]
            })
