/// Each command: parse results in, library call, printing out, exit code back.
module Hermes.Cli.Commands

open System
open System.Collections.Generic
open System.Diagnostics
open System.Text.Json.Nodes
open System.Threading
open System.Threading.Tasks
open Argu
open Hermes.Cli.Args
open Hermes.Cli.Output
open Hermes.Domain
open Hermes.Providers.Auth
open Hermes.Providers.Core
open Hermes.Providers.Library
open Spectre.Console

let private pair (key: string) (value: JsonNode) = KeyValuePair.Create(key, value)

let private str (value: string) : JsonNode =
    if isNull value then null else JsonValue.Create(value)

let private flag (value: bool) : JsonNode = JsonValue.Create(value)

let private either (value: LanguageExt.Either<HermesError, 'T>) : Result<'T, HermesError> =
    match value.Case with
    | :? HermesError as error -> Error error
    | ok -> Ok(ok :?> 'T)

let private withClient (json: bool) (run: HermesClient -> Task<int>) : Task<int> =
    match either (HermesClient.FromEnvironment(loggerFactory ())) with
    | Ok client -> run client
    | Error error -> Task.FromResult(fail json error)

let private describe (decision: Decision) =
    match Dispatch.providerOf decision with
    | Some(provider, model) -> sprintf "%s · %s" provider model
    | None -> "image"

/// A spinner with elapsed time on stderr, only when stderr is a terminal.
let private withSpinner (label: string) (work: IProgress<GenerationProgress> -> Task<'T>) : Task<'T> =
    if
        Console.IsErrorRedirected
        || not (isNull (Environment.GetEnvironmentVariable "NO_SPINNER"))
    then
        work null
    else
        let console =
            AnsiConsole.Create(AnsiConsoleSettings(Out = AnsiConsoleOutput(Console.Error)))

        let stage = ref ""

        let progress =
            { new IProgress<GenerationProgress> with
                member _.Report p =
                    Volatile.Write(&stage.contents, sprintf "%s %s" p.Stage p.Detail)
            }

        console
            .Status()
            .Spinner(Spinner.Known.Dots)
            .StartAsync(
                Markup.Escape label,
                fun ctx ->
                    task {
                        let clock = Stopwatch.StartNew()
                        let running = work progress

                        while not running.IsCompleted do
                            let detail = Volatile.Read(&stage.contents)
                            ctx.Status <- Markup.Escape(sprintf "%s  %.1fs  %s" label clock.Elapsed.TotalSeconds detail)
                            do! Task.WhenAny(running, Task.Delay 100) :> Task

                        return! running
                    }
            )

let generate (args: ParseResults<GenerateArgs>) (ct: CancellationToken) =
    let json = args.Contains GenerateArgs.Json

    withClient json (fun client ->
        task {
            let options progress =
                HermesGenerateOptions(
                    Provider = (args.TryGetResult GenerateArgs.Provider |> Option.toObj),
                    Model = (args.TryGetResult GenerateArgs.Model |> Option.toObj),
                    AspectRatio = (args.TryGetResult GenerateArgs.Aspect |> Option.toObj),
                    Resolution = (args.TryGetResult GenerateArgs.Resolution |> Option.toObj),
                    Count = args.GetResult(GenerateArgs.Count, defaultValue = 1),
                    OutputDirectory = (args.TryGetResult GenerateArgs.Out |> Option.toObj),
                    Progress = progress
                )

            let prompt = args.GetResult GenerateArgs.Prompt
            let planned = options null

            let label =
                "generating with "
                + describe (client.Plan(planned.Provider, planned.Model).Outcome.Decision)

            let! result =
                if json then
                    client.GenerateAsync(prompt, planned, ct)
                else
                    withSpinner label (fun progress -> client.GenerateAsync(prompt, options progress, ct))

            if not result.Success then
                return fail json result.Error
            elif json then
                printJson (
                    JsonObject(
                        [
                            pair "success" (flag true)
                            pair "image" (str result.Image)
                            pair "images" (strings result.Images)
                            pair "provider" (str result.Provider)
                            pair "model" (str result.Model)
                            pair "prompt" (str result.Prompt)
                            pair "aspect_ratio" (str result.AspectRatio)
                            pair "extras" (toNode result.Extras)
                        ]
                    )
                )

                return ExitCode.ok
            else
                for image in result.Images do
                    Console.Out.WriteLine image

                return ExitCode.ok
        })

let providers (args: ParseResults<ProvidersArgs>) =
    let json = args.Contains ProvidersArgs.Json

    withClient json (fun client ->
        let plan = client.Plan()
        let ready = Dispatch.readiness plan.Facts plan.Outcome.Decision
        let reduced = Dispatch.reduce plan.Outcome.Decision

        if json then
            let providers =
                plan.Statuses
                |> Seq.map (fun s ->
                    JsonObject(
                        [
                            pair "key" (str s.Key)
                            pair "name" (str s.Provider.Name)
                            pair "display_name" (str s.Provider.DisplayName)
                            pair "available" (flag s.Availability.IsReady)
                            pair
                                "reason"
                                (match s.Availability with
                                 | Availability.Ready -> null
                                 | Availability.Missing fix -> str fix)
                            pair "default_model" (str s.Provider.Catalog.DefaultModel)
                            pair "models" (strings (Catalog.modelIds s.Provider.Catalog))
                            pair "setup" (toNode s.Provider.SetupSchema)
                        ]
                    )
                    :> JsonNode)
                |> Array.ofSeq

            printJson (
                JsonObject(
                    [
                        pair "providers" (JsonArray providers)
                        pair
                            "dispatch"
                            (JsonObject(
                                [
                                    pair "dispatch_kind" (str reduced.DispatchKind)
                                    pair "provider_name" (str (Option.toObj reduced.ProviderName))
                                    pair "model" (str (Option.toObj reduced.Model))
                                    pair "ready" (flag (Result.isOk ready))
                                    pair
                                        "error"
                                        (match ready with
                                         | Ok() -> null
                                         | Error e -> str (Dispatch.errorMessage e))
                                ]
                            ))
                    ]
                )
            )
        else
            table
                [ "NAME"; "DISPLAY NAME"; "AVAILABLE"; "DEFAULT MODEL"; "WHY NOT" ]
                [
                    for s in plan.Statuses ->
                        [
                            s.Provider.Name
                            s.Provider.DisplayName
                            (if s.Availability.IsReady then "yes" else "no")
                            s.Provider.Catalog.DefaultModel
                            (match s.Availability with
                             | Availability.Ready -> ""
                             | Availability.Missing fix -> fix)
                        ]
                ]

            match ready with
            | Ok() -> Console.Out.WriteLine("\ngenerate uses: " + describe plan.Outcome.Decision)
            | Error e -> Console.Out.WriteLine("\ngenerate cannot run: " + Dispatch.errorMessage e)

        Task.FromResult ExitCode.ok)

let models (args: ParseResults<ModelsArgs>) =
    let json = args.Contains ModelsArgs.Json

    withClient json (fun client ->
        let chosen =
            match args.TryGetResult ModelsArgs.Provider with
            | None -> Ok(List.ofSeq client.Registry.All)
            | Some name ->
                match client.Registry.Find name with
                | null ->
                    Error(
                        HermesError.Invalid
                            {
                                Field = "provider"
                                Value = name
                                Allowed = client.Registry.All |> Seq.map _.Name |> List.ofSeq
                            }
                    )
                | provider -> Ok [ provider ]

        match chosen with
        | Error error -> Task.FromResult(fail json error)
        | Ok providers ->
            let rows =
                [
                    for p in providers do
                        for m in p.Catalog.Models -> p, m
                ]

            if json then
                printJson (
                    JsonArray(
                        rows
                        |> List.map (fun (p, m) ->
                            JsonObject(
                                [
                                    pair "provider" (str p.Name)
                                    pair "id" (str m.Id)
                                    pair "display" (str m.Display)
                                    pair "speed" (str m.Speed)
                                    pair "strengths" (str m.Strengths)
                                    pair "default" (flag (m.Id = p.Catalog.DefaultModel))
                                ]
                            )
                            :> JsonNode)
                        |> Array.ofList
                    )
                )
            else
                table
                    [ "PROVIDER"; "MODEL"; "NAME"; "SPEED"; "DEFAULT" ]
                    [
                        for p, m in rows ->
                            [
                                p.Name
                                m.Id
                                m.Display
                                m.Speed
                                (if m.Id = p.Catalog.DefaultModel then "*" else "")
                            ]
                    ]

            Task.FromResult ExitCode.ok)

let config (args: ParseResults<ConfigArgs>) =
    withClient false (fun client ->
        match args.GetSubCommand() with
        | ConfigArgs.Get get ->
            let key = get.GetResult ConfigGetArgs.Key

            match either (HermesSettings.Get(client, key)) with
            | Error error -> Task.FromResult(fail false error)
            | Ok value ->
                match value.Case with
                | :? string as text ->
                    Console.Out.WriteLine text
                    Task.FromResult ExitCode.ok
                | _ ->
                    printError (sprintf "'%s' is not set in %s" key (Hermes.Providers.Config.HermesConfig.PathIn client.Context.Home))
                    Task.FromResult ExitCode.notSet
        | ConfigArgs.Set set ->
            let key, value = set.GetResult ConfigSetArgs.Key_Value

            match either (HermesSettings.Set(client, key, value)) with
            | Error error -> Task.FromResult(fail false error)
            | Ok _ ->
                Console.Out.WriteLine(sprintf "%s = %s" key value)
                Task.FromResult ExitCode.ok)

let private requireXaiOAuth (provider: string) (json: bool) =
    if provider = XaiOAuth.providerId then
        None
    else
        Some(
            fail
                json
                (HermesError.Invalid
                    {
                        Field = "auth provider"
                        Value = provider
                        Allowed = [ XaiOAuth.providerId ]
                    })
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

let authAdd (args: ParseResults<AuthAddArgs>) (ct: CancellationToken) =
    match requireXaiOAuth (args.GetResult AuthAddArgs.Provider) false with
    | Some code -> Task.FromResult code
    | None ->
        let seconds = args.GetResult(AuthAddArgs.Timeout, defaultValue = 180)

        if seconds < 1 || seconds > 3600 then
            Task.FromResult(
                fail
                    false
                    (HermesError.Invalid
                        {
                            Field = "timeout"
                            Value = string seconds
                            Allowed = [ "1 to 3600 seconds" ]
                        })
            )
        else
            withClient false (fun client ->
                task {
                    let options =
                        SignInOptions(
                            OpenBrowser =
                                (if args.Contains AuthAddArgs.No_Browser then
                                     null
                                 else
                                     Func<string, bool> tryOpenBrowser),
                            ShowUrl =
                                (fun url ->
                                    Console.Error.WriteLine "hermes: open this URL in a browser to sign in to xAI:"
                                    Console.Out.WriteLine url
                                    Console.Out.Flush()),
                            Timeout = TimeSpan.FromSeconds(float seconds)
                        )

                    let! outcome = XaiSignIn(client.Context).SignInAsync(options, ct)

                    match outcome.Case with
                    | :? SignInResult as signedIn ->
                        Console.Out.WriteLine(
                            sprintf "signed in to xAI as entry %d (%s)" signedIn.Number (Redact.Secret signedIn.Entry.AccessToken)
                        )

                        return ExitCode.ok
                    | error -> return fail false (XaiAccounts.ToError(error :?> AuthError))
                })

let authList (args: ParseResults<AuthListArgs>) =
    let json = args.Contains AuthListArgs.Json

    withClient json (fun client ->
        match either (XaiAccounts.List client.Context) with
        | Error error -> Task.FromResult(fail json error)
        | Ok accounts ->
            let expires (a: XaiAccountView) =
                if a.ExpiresAt.HasValue then
                    a.ExpiresAt.Value.ToString("yyyy-MM-ddTHH:mm:ssZ")
                else
                    null

            if json then
                printJson (
                    JsonArray(
                        accounts
                        |> Seq.map (fun a ->
                            JsonObject(
                                [
                                    pair "number" (JsonValue.Create a.Number)
                                    pair "provider" (str XaiOAuth.providerId)
                                    pair "source" (str a.Source)
                                    pair "label" (str a.Label)
                                    pair "token" (str a.TokenPrefix)
                                    pair "expires_at" (str (expires a))
                                    pair "expired" (flag a.Expired)
                                    pair "last_refresh" (str a.LastRefresh)
                                ]
                            )
                            :> JsonNode)
                        |> Array.ofSeq
                    )
                )
            elif accounts.Count = 0 then
                Console.Out.WriteLine "no sign-ins; run `hermes auth add xai-oauth`"
            else
                Console.Out.WriteLine XaiOAuth.pickerLabel

                table
                    [ "#"; "PROVIDER"; "SOURCE"; "TOKEN"; "EXPIRES" ]
                    [
                        for a in accounts ->
                            [
                                string a.Number
                                XaiOAuth.providerId
                                a.Source
                                a.TokenPrefix
                                (match expires a with
                                 | null -> "unknown"
                                 | e when a.Expired -> e + " (expired)"
                                 | e -> e)
                            ]
                    ]

            Task.FromResult ExitCode.ok)

let authRemove (args: ParseResults<AuthRemoveArgs>) (ct: CancellationToken) =
    let provider, number = args.GetResult AuthRemoveArgs.Target

    match requireXaiOAuth provider false with
    | Some code -> Task.FromResult code
    | None ->
        match Int32.TryParse number with
        | false, _ ->
            Task.FromResult(
                fail
                    false
                    (HermesError.Invalid
                        {
                            Field = "entry"
                            Value = number
                            Allowed = [ "a number from `hermes auth list`" ]
                        })
            )
        | true, n ->
            withClient false (fun client ->
                task {
                    let! removed = XaiAccounts.RemoveAsync(client.Context, n, ct)

                    match either removed with
                    | Ok entry ->
                        Console.Out.WriteLine(sprintf "removed xai-oauth entry %d (%s)" n entry.Source)
                        return ExitCode.ok
                    | Error error -> return fail false error
                })
