namespace Hermes.Tests.Support

open System
open System.Collections.Concurrent
open System.IO
open Hermes.Providers.Config
open Hermes.Providers.Core
open Microsoft.Extensions.Logging

/// Log lines a test can assert on (warnings the providers emit).
type CapturedLogs() =
    let entries = ConcurrentQueue<LogLevel * string>()

    member _.Entries = entries |> List.ofSeq

    member this.Warnings =
        this.Entries |> List.filter (fun (l, _) -> l = LogLevel.Warning) |> List.map snd

    member _.Logger =
        { new ILogger with
            member _.BeginScope _ =
                { new IDisposable with
                    member _.Dispose() = ()
                }

            member _.IsEnabled _ = true

            member _.Log(level, _, state, error, formatter) =
                entries.Enqueue(level, formatter.Invoke(state, error))
        }

    member this.Factory =
        { new ILoggerFactory with
            member _.CreateLogger _ = this.Logger
            member _.AddProvider _ = ()
            member _.Dispose() = ()
        }

/// A private HERMES_HOME (and HOME) per test, deleted afterwards; no test touches the real ~/.hermes.
type TestHome() =
    let root =
        Path.Combine(Path.GetTempPath(), "hermes-tests", Guid.NewGuid().ToString("N"))

    // Owner-only like a real $HERMES_HOME, so reading auth.json has nothing to repair.
    do
        Directory.CreateDirectory(root, UnixFileMode.UserRead ||| UnixFileMode.UserWrite ||| UnixFileMode.UserExecute)
        |> ignore

    member _.Path = root
    member _.CacheDir = Path.Combine(root, "cache", "images")
    member _.AuthPath = Path.Combine(root, "auth.json")

    member _.WriteConfig(yaml: string) =
        File.WriteAllText(Path.Combine(root, "config.yaml"), yaml)

    member _.Environment(extra: (string * string) list) =
        HermesEnvironment.Of(
            [ "HERMES_HOME", root; "HOME", root ] @ extra
            |> List.map (fun (k, v) -> Collections.Generic.KeyValuePair(k, v))
        )

    member this.Context
        (extra: (string * string) list, ?logs: CapturedLogs, ?clock: TimeProvider, ?timeouts: Hermes.Providers.Http.TransportTimeouts)
        =
        let env = this.Environment extra

        let config =
            match HermesConfig.Load(root).Case with
            | :? HermesConfig as c -> c
            | other -> failwithf "config did not load: %A" other

        HermesContext(
            env,
            config,
            (match logs with
             | Some l -> l.Factory
             | None -> null),
            Option.toObj clock,
            Option.toObj timeouts
        )

    /// A context whose xAI sign-in talks to a local fake of accounts.x.ai (trusted exactly by origin).
    member this.OAuthContext
        (
            discoveryUrl: string,
            policy: Hermes.Domain.EndpointPolicy,
            extra: (string * string) list,
            ?logs: CapturedLogs,
            ?clock: TimeProvider
        ) =
        let plain = this.Context(extra, ?logs = logs, ?clock = clock)

        HermesContext(plain.Environment, plain.Config, plain.Logging, plain.Clock, xai = Hermes.Providers.Xai.XaiOptions(policy, discoveryUrl))

    /// The cached images, without their provenance sidecars.
    member _.CachedFiles() =
        if Directory.Exists(Path.Combine(root, "cache", "images")) then
            Directory.GetFiles(Path.Combine(root, "cache", "images"))
            |> Array.filter (fun f -> not (f.EndsWith ".json"))
            |> Array.sort
        else
            [||]

    interface IDisposable with
        member _.Dispose() =
            try
                Directory.Delete(root, true)
            with _ ->
                ()
