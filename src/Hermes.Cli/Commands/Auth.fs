/// `hermes auth add|list|remove`: stored sign-ins (xai-oauth), never printing a token beyond its prefix.
module Hermes.Cli.Commands.Auth

open System
open System.Diagnostics
open System.Threading
open System.Threading.Tasks
open Argu
open Hermes.Cli
open Hermes.Cli.Args
open Hermes.Domain
open Hermes
open Hermes.Providers.Auth
open Hermes.Providers.Core

type SignedIn = { Number: int; Token: string }

type Account =
    {
        Number: int
        Source: string
        Label: string
        Token: string
        ExpiresAt: string option
        Expired: bool
        LastRefresh: string
    }

type Removed = { Number: int; Source: string }

/// xai-oauth or one of its aliases (grok-oauth, x-ai-oauth, xai-grok-oauth), with did-you-mean otherwise.
let private requireXaiOAuth (provider: string) : Result<unit, CliError> =
    match AuthProviderName.parse provider with
    | Ok _ -> Ok()
    | Error bad ->
        Error(CliError.Library(HermesError(ErrorKind.InvalidArgument, bad.Message + Suggest.hint bad.Allowed provider)))

let private invalid (field: string) (value: string) (allowed: string) =
    Error(
        CliError.Library(
            HermesError.Invalid
                {
                    Field = field
                    Value = value
                    Allowed = [ allowed ]
                }
        )
    )

let private tryOpenBrowser (url: string) =
    let hasDisplay =
        OperatingSystem.IsWindows()
        || OperatingSystem.IsMacOS()
        || not (String.IsNullOrEmpty(Environment.GetEnvironmentVariable "DISPLAY"))
        || not (String.IsNullOrEmpty(Environment.GetEnvironmentVariable "WAYLAND_DISPLAY"))

    hasDisplay
    && (try
            let opener =
                if OperatingSystem.IsMacOS() then "open"
                elif OperatingSystem.IsWindows() then "explorer"
                else "xdg-open"

            use _ = Process.Start(ProcessStartInfo(opener, [ url ], UseShellExecute = false))
            true
        with _ ->
            false)

/// The one place auth add calls the library: the sign-in, the URL shown on stdout (stderr with --json).
let private signIn (context: HermesContext) (browser: bool) (seconds: int) (json: bool) (ct: CancellationToken) =
    task {
        let show (url: string) =
            Console.Error.WriteLine "hermes: open this URL in a browser to sign in to xAI:"
            let out = if json then Console.Error else Console.Out
            out.WriteLine url
            out.Flush()

        let notice (reason: string) =
            Console.Error.WriteLine("hermes: " + TerminalText.sanitize reason)

        let options =
            SignInOptions(
                OpenBrowser = (if browser then Func<string, bool> tryOpenBrowser else null),
                ShowUrl = Action<string> show,
                ShowNotice = Action<string> notice,
                Timeout = TimeSpan.FromSeconds(float seconds)
            )

        // Headless (SSH, containers): the redirect URL the browser lands on elsewhere may be pasted on stdin.
        let pasted = if browser then IO.TextReader.Null else Console.In
        let! outcome = XaiSignIn(context).SignInAsync(options, pasted, ct)

        return
            Client.either outcome
            |> Result.map (fun (signedIn: SignInResult) ->
                {
                    Number = signedIn.Number
                    Token = Redact.Secret signedIn.Entry.AccessToken
                })
            |> Result.mapError (XaiAccounts.ToError >> CliError.Library)
    }

let add (args: ParseResults<AuthAddArgs>) (ct: CancellationToken) : Task<Result<SignedIn, CliError>> =
    let seconds = args.GetResult(AuthAddArgs.Timeout, defaultValue = 180)

    let ready =
        result {
            do! requireXaiOAuth (args.GetResult AuthAddArgs.Provider)

            if seconds < 1 || seconds > 3600 then
                do! invalid "timeout" (string seconds) "1 to 3600 seconds"

            return! Client.load Client.ConfigUse.Optional
        }

    match ready with
    | Error failure -> Task.FromResult(Error failure)
    | Ok opened -> signIn opened.Client.Context (not (args.Contains AuthAddArgs.No_Browser)) seconds (args.Contains AuthAddArgs.Json) ct

/// The one place auth list calls the library.
let private accounts (context: HermesContext) : Result<Account list, CliError> =
    Client.either (XaiAccounts.List context)
    |> Result.mapError CliError.Library
    |> Result.map (fun views ->
        [
            for a in views ->
                {
                    Number = a.Number
                    Source = a.Source
                    Label = a.Label
                    Token = a.TokenPrefix
                    ExpiresAt =
                        if a.ExpiresAt.HasValue then
                            Some(a.ExpiresAt.Value.ToString("yyyy-MM-ddTHH:mm:ssZ"))
                        else
                            None
                    Expired = a.Expired
                    LastRefresh = a.LastRefresh
                }
        ])

let list (_: ParseResults<AuthListArgs>) : Result<Account list, CliError> =
    Client.load Client.ConfigUse.Optional
    |> Result.bind (fun opened -> accounts opened.Client.Context)

/// The one place auth remove calls the library.
let private remove (context: HermesContext) (number: int) (ct: CancellationToken) =
    task {
        let! removed = XaiAccounts.RemoveAsync(context, number, ct)

        return
            Client.either removed
            |> Result.map (fun entry ->
                {
                    Number = number
                    Source = entry.Source
                })
            |> Result.mapError CliError.Library
    }

let removeEntry (args: ParseResults<AuthRemoveArgs>) (ct: CancellationToken) : Task<Result<Removed, CliError>> =
    let provider, number = args.GetResult AuthRemoveArgs.Target

    let ready =
        result {
            do! requireXaiOAuth provider

            let! n =
                match Int32.TryParse number with
                | true, n -> Ok n
                | false, _ -> invalid "entry" number "a number from `hermes auth list`"

            let! opened = Client.load Client.ConfigUse.Optional
            return opened, n
        }

    match ready with
    | Error failure -> Task.FromResult(Error failure)
    | Ok(opened, n) -> remove opened.Client.Context n ct
