/// reference-2026.md, Everywhere: keys in $HERMES_HOME/.env count as environment; the process environment wins.
module Hermes.Tests.Providers.DotEnvEnvironmentTests

open System.Collections.Generic
open System.IO
open System.Threading
open Xunit
open Hermes.Domain
open Hermes.Providers.Config
open Hermes.Providers.Core
open Hermes.Providers.Fal
open Hermes.Providers.Xai
open Hermes.Tests.Support
open Hermes.Tests.Support.Fakes

/// The environment FromProcess builds for a process whose variables are `extra` plus this test's HERMES_HOME and HOME.
let loaded (home: TestHome) (extra: (string * string) list) =
    HermesEnvironment.WithDotEnv(
        [ "HERMES_HOME", home.Path; "HOME", home.Path ] @ extra
        |> List.map (fun (k, v) -> KeyValuePair(k, v))
    )

let writeDotEnv (home: TestHome) (text: string) =
    File.WriteAllText(Path.Combine(home.Path, ".env"), text)

[<Fact>]
let ``fal_key_is_configured: a FAL_KEY in HERMES_HOME/.env makes FAL available`` () =
    use home = new TestHome()
    writeDotEnv home "# keys for hermes\nexport FAL_KEY=\"fal-from-dotenv\"  # the FAL key\n"
    let env = loaded home []
    Assert.Equal("fal-from-dotenv", env.Get("FAL_KEY").IfNone "")
    Assert.Equal(Availability.Ready, FalImageProvider(HermesContext(env, HermesConfig.Empty)).IsAvailable())
    let withoutDotEnv = home.Environment []
    Assert.False(FalImageProvider(HermesContext(withoutDotEnv, HermesConfig.Empty)).IsAvailable().IsReady)

[<Fact>]
let ``xAI key resolution: XAI_API_KEY from HERMES_HOME/.env is the bearer`` () =
    task {
        use home = new TestHome()

        use s =
            new LoopbackServer(Reply.routes [ ("POST", "/v1/images/generations"), Reply.json 200 (b64Response (png 10)) ])

        writeDotEnv home "XAI_API_KEY='xai-from-dotenv'\n"
        let env = loaded home [ "XAI_BASE_URL", s.Url "/v1" ]

        let! result =
            XaiImageProvider(HermesContext(env, HermesConfig.Empty))
                .GenerateAsync("fox", AspectRatio.Square, GenerateOptions.Default, CancellationToken.None)

        ignore (success result)
        Assert.Equal(Some "Bearer xai-from-dotenv", s.Requests.Head.Header "Authorization")
    }

[<Fact>]
let ``the process environment wins over .env; a blank process value counts as unset`` () =
    use home = new TestHome()
    writeDotEnv home "XAI_API_KEY=from-dotenv\nOPENAI_API_KEY=openai-from-dotenv\nFAL_KEY=fal-from-dotenv\n"
    let env = loaded home [ "XAI_API_KEY", "from-process"; "OPENAI_API_KEY", "  " ]
    Assert.Equal("from-process", env.Get("XAI_API_KEY").IfNone "")
    Assert.Equal("openai-from-dotenv", env.Get("OPENAI_API_KEY").IfNone "")
    Assert.Equal("fal-from-dotenv", env.Get("FAL_KEY").IfNone "")
    Assert.Equal(home.Path, env.HermesHome)

[<Fact>]
let ``without HERMES_HOME the .env of ~/.hermes is read`` () =
    use home = new TestHome()
    Directory.CreateDirectory(Path.Combine(home.Path, ".hermes")) |> ignore
    File.WriteAllText(Path.Combine(home.Path, ".hermes", ".env"), "FAL_KEY=fal-home\n")
    let env = HermesEnvironment.WithDotEnv([ KeyValuePair("HOME", home.Path) ])
    Assert.Equal("fal-home", env.Get("FAL_KEY").IfNone "")

[<Fact>]
let ``a missing, unreadable or oversized .env adds nothing and is no error`` () =
    use home = new TestHome()
    let given = [ "XAI_API_KEY", "k" ]
    let keys (env: HermesEnvironment) = env.Variables.Keys |> Set.ofSeq

    let plain =
        keys (
            HermesEnvironment.Of(
                given @ [ "HERMES_HOME", home.Path; "HOME", home.Path ]
                |> List.map (fun (k, v) -> KeyValuePair(k, v))
            )
        )

    Assert.Equal<Set<string>>(plain, keys (loaded home given))
    Directory.CreateDirectory(Path.Combine(home.Path, ".env")) |> ignore
    Assert.Equal<Set<string>>(plain, keys (loaded home given))
    Directory.Delete(Path.Combine(home.Path, ".env"))
    writeDotEnv home ("FAL_KEY=x\n" + String.replicate (int HermesEnvironment.MaxDotEnvBytes) "#")
    Assert.Equal<Set<string>>(plain, keys (loaded home given))
