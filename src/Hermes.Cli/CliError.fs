namespace Hermes.Cli

open Hermes.Domain
open Hermes
open Hermes.Providers.Core

/// The process exit codes, one per kind of outcome (docs/cli-json.md).
module ExitCode =
    let ok = 0
    /// `config get` of a key that is not set; also an internal error, which no input should reach.
    let notSet = 1
    let usage = 2
    let notAvailable = 3
    let provider = 4
    let storage = 5
    /// Some images were made and some failed.
    let partial = 6
    let cancelled = 130

    let ofKind (kind: ErrorKind) =
        match kind with
        | ErrorKind.InvalidArgument
        | ErrorKind.Config
        | ErrorKind.ProviderNotRegistered -> usage
        | ErrorKind.NotAvailable -> notAvailable
        | ErrorKind.Auth
        | ErrorKind.InvalidRequest
        | ErrorKind.RateLimited
        | ErrorKind.ContentPolicy
        | ErrorKind.ProviderError
        | ErrorKind.InvalidResponse
        | ErrorKind.IncompleteImage
        | ErrorKind.NoImage -> provider
        | ErrorKind.Network
        | ErrorKind.Timeout
        | ErrorKind.Storage -> storage
        | ErrorKind.Cancelled -> cancelled

/// Why a command did not do what it was asked.
[<RequireQualifiedAccess>]
type CliError =
    /// The command line itself is wrong: an unknown flag, a missing or doubled argument, a value of the wrong type.
    | Usage of message: string
    /// A well-formed command with a value that is not allowed (a config key or value, an environment URL).
    | Invalid of message: string
    /// The library's typed error.
    | Library of HermesError
    /// config.yaml cannot be read or written; the message names the file.
    | Config of message: string
    | NotSet of message: string
    | Cancelled
    | Internal of message: string

module CliError =

    let message =
        function
        | CliError.Usage m
        | CliError.Invalid m
        | CliError.Config m
        | CliError.NotSet m
        | CliError.Internal m -> m
        | CliError.Library e -> e.Message
        | CliError.Cancelled -> "cancelled"

    /// The `error_type` of the JSON document.
    let errorType =
        function
        | CliError.Usage _ -> "usage"
        | CliError.Invalid _ -> "invalid_argument"
        | CliError.Library e -> e.ErrorType
        | CliError.Config _ -> "config"
        | CliError.NotSet _ -> "not_set"
        | CliError.Cancelled -> "cancelled"
        | CliError.Internal _ -> "internal"

    let exitCode =
        function
        | CliError.Usage _
        | CliError.Invalid _ -> ExitCode.usage
        | CliError.Library e -> ExitCode.ofKind e.Kind
        | CliError.Config _ -> ExitCode.storage
        | CliError.NotSet _
        | CliError.Internal _ -> ExitCode.notSet
        | CliError.Cancelled -> ExitCode.cancelled

/// `result { let! x = ... }`: steps that each may fail, without nested binds.
[<AutoOpen>]
module ResultSyntax =

    type ResultBuilder() =
        member _.Bind(value: Result<'T, 'E>, next: 'T -> Result<'U, 'E>) = Result.bind next value
        member _.Return(value: 'T) : Result<'T, 'E> = Ok value
        member _.ReturnFrom(value: Result<'T, 'E>) = value
        member _.Zero() : Result<unit, 'E> = Ok()
        member _.Delay(step: unit -> Result<'T, 'E>) = step
        member _.Run(step: unit -> Result<'T, 'E>) = step ()
        member _.Combine(first: Result<unit, 'E>, rest: unit -> Result<'T, 'E>) = Result.bind rest first

    let result = ResultBuilder()
