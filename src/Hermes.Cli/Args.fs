module Hermes.Cli.Args

open Argu

type GenerateArgs =
    | [<MainCommand; ExactlyOnce>] Prompt of prompt: string
    | Provider of name: string
    | Model of id: string
    | Aspect of ratio: string
    | Resolution of value: string
    | Count of n: int
    | Out of dir: string
    | Json

    interface IArgParserTemplate with
        member this.Usage =
            match this with
            | Prompt _ -> "what the image shows."
            | Provider _ -> "a registered provider (fal, xai, openai, openai-codex); overrides image_gen.provider."
            | Model _ -> "a model id of the provider's catalog (see `hermes models`)."
            | Aspect _ -> "landscape, square or portrait (default landscape)."
            | Resolution _ -> "xAI only: 1k or 2k."
            | Count _ -> "how many images, generated concurrently (1 to 16)."
            | Out _ -> "also copy the images into this folder."
            | Json -> "print one JSON document instead of paths."

type ProvidersArgs =
    | Json

    interface IArgParserTemplate with
        member _.Usage = "print one JSON document."

type ModelsArgs =
    | Provider of name: string
    | Json

    interface IArgParserTemplate with
        member this.Usage =
            match this with
            | Provider _ -> "only this provider's models."
            | Json -> "print one JSON document."

type ConfigGetArgs =
    | [<MainCommand; ExactlyOnce>] Key of key: string

    interface IArgParserTemplate with
        member _.Usage = "a dotted key such as image_gen.provider."

type ConfigSetArgs =
    | [<MainCommand; ExactlyOnce>] Key_Value of key: string * value: string

    interface IArgParserTemplate with
        member _.Usage = "a dotted key and its value, e.g. image_gen.provider xai."

type ConfigArgs =
    | [<CliPrefix(CliPrefix.None)>] Get of ParseResults<ConfigGetArgs>
    | [<CliPrefix(CliPrefix.None)>] Set of ParseResults<ConfigSetArgs>

    interface IArgParserTemplate with
        member this.Usage =
            match this with
            | Get _ -> "print a value of $HERMES_HOME/config.yaml."
            | Set _ -> "set a value of $HERMES_HOME/config.yaml, keeping every other key."

type AuthAddArgs =
    | [<MainCommand; ExactlyOnce>] Provider of provider: string
    | No_Browser
    | Timeout of seconds: int

    interface IArgParserTemplate with
        member this.Usage =
            match this with
            | Provider _ -> "xai-oauth."
            | No_Browser -> "print the sign-in URL instead of opening a browser."
            | Timeout _ -> "seconds to wait for the browser (default 180)."

type AuthListArgs =
    | Json

    interface IArgParserTemplate with
        member _.Usage = "print one JSON document."

type AuthRemoveArgs =
    | [<MainCommand; ExactlyOnce>] Target of provider: string * number: string

    interface IArgParserTemplate with
        member _.Usage = "xai-oauth and the entry number from `hermes auth list`."

type AuthArgs =
    | [<CliPrefix(CliPrefix.None)>] Add of ParseResults<AuthAddArgs>
    | [<CliPrefix(CliPrefix.None)>] List of ParseResults<AuthListArgs>
    | [<CliPrefix(CliPrefix.None)>] Remove of ParseResults<AuthRemoveArgs>

    interface IArgParserTemplate with
        member this.Usage =
            match this with
            | Add _ -> "sign in (xai-oauth: SuperGrok through accounts.x.ai)."
            | List _ -> "list stored sign-ins (never the tokens)."
            | Remove _ -> "remove a stored sign-in."

type HermesArgs =
    | [<CliPrefix(CliPrefix.None)>] Generate of ParseResults<GenerateArgs>
    | [<CliPrefix(CliPrefix.None)>] Providers of ParseResults<ProvidersArgs>
    | [<CliPrefix(CliPrefix.None)>] Models of ParseResults<ModelsArgs>
    | [<CliPrefix(CliPrefix.None)>] Config of ParseResults<ConfigArgs>
    | [<CliPrefix(CliPrefix.None)>] Auth of ParseResults<AuthArgs>
    | Version

    interface IArgParserTemplate with
        member this.Usage =
            match this with
            | Generate _ -> "generate images from a prompt and print their local paths."
            | Providers _ -> "list providers, whether each is available, and why not."
            | Models _ -> "list models."
            | Config _ -> "read or change $HERMES_HOME/config.yaml."
            | Auth _ -> "manage sign-ins."
            | Version -> "print the version."
