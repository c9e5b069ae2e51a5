namespace Hermes.Cli

open Hermes.Cli.Commands

/// What a command answered, for the text or the JSON renderer.
[<RequireQualifiedAccess>]
type Reply =
    | Help of text: string
    | Version of string
    | Generated of Generate.GenerateResult
    /// `generate --dry-run`: nothing was sent.
    | Planned of Generate.Plan
    | Batched of Batch.Summary
    | Providers of Providers.ProvidersResult
    | Models of Models.ModelsResult
    | ConfigListed of Config.Listing
    | ConfigValue of Config.Value
    | ConfigWritten of Config.Written
    | ConfigRemoved of Config.Removed
    | SignedIn of Auth.SignedIn
    | Accounts of Auth.Account list
    | SignedOut of Auth.Removed
    | CacheListed of Cache.Listing
    | CachePruned of Cache.Pruned
    | History of History.Item list
    /// `hermes mcp` ended: stdout carried the protocol, so nothing is printed after it.
    | Served

module Reply =

    let exitCode =
        function
        | Reply.Generated result -> Generate.exitCode result
        | Reply.Batched summary -> Batch.exitCode summary
        | _ -> ExitCode.ok
