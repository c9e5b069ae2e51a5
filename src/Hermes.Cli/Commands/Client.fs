/// Opening the library for a command: the environment, config.yaml and the bundled providers.
module Hermes.Cli.Commands.Client

open System
open System.Globalization
open Hermes.Cli
open Hermes.Cli.Config
open Hermes.Domain
open Hermes
open Hermes.Providers.Config
open Hermes.Providers.Core
open Hermes.Providers.Http
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

/// The longest total deadline a call may have: a day (timers take at most about 24 days).
let maxTimeoutSeconds = 86400.0

/// A total deadline in seconds as given on the command line or in config.yaml: more than 0, at most a day.
let timeoutSeconds (field: string) (text: string) : Result<TimeSpan, string> =
    match Double.TryParse(text.Trim(), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture) with
    | true, s when s > 0.0 && s <= maxTimeoutSeconds -> Ok(TimeSpan.FromSeconds s)
    | _ -> Error $"invalid {field} '{text}': allowed values are a number of seconds above 0 and at most %g{maxTimeoutSeconds}"

/// image_gen.timeout of config.yaml, when set.
let private configuredTimeout (home: string) : Result<TimeSpan option, string> =
    let path = Document.pathIn home

    Document.load path
    |> Result.bind (fun root ->
        match Document.tryGet root [ "image_gen"; "timeout" ] with
        | None -> Ok None
        | Some text ->
            timeoutSeconds "image_gen.timeout" text
            |> Result.map Some
            |> Result.mapError (fun m -> path + ": " + m))

/// The library's timeouts with this total deadline (the stream idle limit stays the library's).
let private timeouts (total: TimeSpan option) =
    total
    |> Option.map (fun t -> TransportTimeouts(t, TransportTimeouts.Default.Idle))
    |> Option.toObj

/// The context of this process with this config, issuer override included.
let private contextOf (env: HermesEnvironment) (config: HermesConfig) (total: TimeSpan option) =
    HermesContext.FromEnvironment(env, config, Terminal.loggerFactory (), timeouts = timeouts total)
    |> either
    |> Result.mapError CliError.Library

/// The client of this process with a total deadline given on the command line (else image_gen.timeout, else the
/// library's 300 s). An unreadable config.yaml stops commands that need it (exit 5, the file named); the others run
/// on defaults with a warning.
let loadWith (configUse: ConfigUse) (timeout: TimeSpan option) : Result<Opened, CliError> =
    let env = HermesEnvironment.FromProcess()

    let configured =
        match timeout with
        | Some _ -> Ok timeout
        | None -> configuredTimeout env.HermesHome

    match either (HermesConfig.Load env.HermesHome), configured, configUse with
    | Ok config, Ok total, _ ->
        contextOf env config total
        |> Result.map (fun context ->
            {
                Client = HermesClient context
                Warnings = []
            })
    | Ok _, Error bad, ConfigUse.Required -> Error(CliError.Config bad)
    // a value Hermes refuses (a bad endpoint) is the user's input, not a broken file: exit 2 like any invalid value
    | Error invalid, _, ConfigUse.Required when invalid.Failure = ConfigFailure.Invalid -> Error(CliError.Library(invalid.ToHermesError()))
    | Error unreadable, _, ConfigUse.Required ->
        Error(
            CliError.Config(
                unreadable.Message
                + "; fix it, or replace it with `hermes config set KEY VALUE --force`"
            )
        )
    | Ok config, Error bad, ConfigUse.Optional ->
        contextOf env config None
        |> Result.map (fun context ->
            {
                Client = HermesClient context
                Warnings = [ bad + "; using the defaults" ]
            })
    | Error unreadable, _, ConfigUse.Optional ->
        contextOf env HermesConfig.Empty None
        |> Result.map (fun context ->
            {
                Client = HermesClient context
                Warnings = [ unreadable.Message + "; using the defaults" ]
            })

/// The client of this process; the total deadline is image_gen.timeout, else the library's 300 s.
let load (configUse: ConfigUse) : Result<Opened, CliError> = loadWith configUse None
