/// The test assembly doubles as a worker process for the multi-process auth tests.
module Hermes.Tests.Main

open System
open System.Threading
open Hermes.Domain
open Hermes.Providers.Auth
open Hermes.Providers.Config
open Hermes.Providers.Core
open Hermes.Providers.Xai

let private context (home: string) (discoveryUrl: string) (trusted: string) =
    let env =
        HermesEnvironment.Of([ Collections.Generic.KeyValuePair("HERMES_HOME", home) ])

    HermesContext(env, HermesConfig.Empty, xai = XaiOptions({ TrustedOrigins = [ trusted ] }, discoveryUrl))

/// Rotates the signed-in refresh token `rotations` times, racing the other workers; prints what it did.
let private refreshWorker (home: string) (discoveryUrl: string) (trusted: string) (rotations: int) =
    let ctx = context home discoveryUrl trusted
    let manager = XaiTokenManager(ctx, XaiOAuthClient ctx)
    let mutable rotated = 0
    let mutable adopted = 0

    while rotated < rotations do
        match manager.Peek().Case with
        | :? XaiCredential as seen ->
            match manager.RefreshAsync(seen, true, CancellationToken.None).Result.Case with
            | :? XaiRefresh as r when r.Rotated -> rotated <- rotated + 1
            | :? XaiRefresh -> adopted <- adopted + 1
            | :? AuthError as e -> failwithf "refresh failed: %s" (AuthError.message e)
            | other -> failwithf "unexpected %A" other
        | _ -> failwith "no credential"

    printfn "rotated=%d adopted=%d" rotated adopted
    0

/// Rewrites auth.json forever (until killed) with a large payload that names its own generation.
let private writeWorker (home: string) =
    let store = AuthStore(AuthStore.PathIn home)
    let padding = String('x', 256 * 1024)
    let mutable generation = 0

    while true do
        generation <- generation + 1
        let g = generation

        store
            .UpdateAsync<int>(
                (fun root ->
                    root["generation"] <- g
                    root["padding"] <- padding
                    LanguageExt.Either<AuthError, struct (int * bool)>.Right(struct (g, true))),
                CancellationToken.None
            )
            .Wait()

        if g = 1 then
            Console.Out.WriteLine "writing"
            Console.Out.Flush()

    0

[<EntryPoint>]
let main argv =
    match argv with
    | [| "refresh-worker"; home; discovery; trusted; rotations |] -> refreshWorker home discovery trusted (int rotations)
    | [| "write-worker"; home |] -> writeWorker home
    | _ -> 0
