module Hermes.Cli.Args

open Argu

[<HelpFlags("--help", "-h")>]
type GenerateArgs =
    | [<MainCommand; Unique>] Prompt of prompt: string
    | [<Unique>] Prompt_File of file: string
    | [<Unique>] Provider of name: string
    | [<Unique>] Model of id: string
    | [<Unique>] Aspect of ratio: string
    | [<Unique>] Resolution of value: string
    | [<Unique>] Count of n: int
    | [<Unique>] Out of dir: string
    | [<Unique; AltCommandLine("-o")>] Output of path: string
    | Force
    | Image of source: string
    | [<Unique>] Mask of png: string
    | [<Unique>] Input_Fidelity of level: string
    | [<Unique>] Size of size: string
    | [<Unique>] Quality of level: string
    | [<Unique>] Format of format: string
    | [<Unique>] Compression of percent: int
    | [<Unique>] Background of background: string
    | [<Unique>] Moderation of level: string
    | [<Unique>] Seed of n: int
    | [<Unique>] Timeout of seconds: float
    | Json
    | Dry_Run
    | [<Unique>] Max_Cost of usd: string
    | Allow_Unknown_Cost
    | [<AltCommandLine("-q")>] Quiet
    | Preview
    | Open

    interface IArgParserTemplate with
        member this.Usage =
            match this with
            | Dry_Run -> "print the plan (provider, model, size, request body, estimated cost) and send nothing."
            | Max_Cost _ -> "refuse before any request when the estimated cost in US dollars exceeds this (e.g. 0.50)."
            | Allow_Unknown_Cost -> "with --max-cost: run a plan whose price is not published (else refused)."
            | Quiet -> "no progress on stderr."
            | Preview -> "show each image in the terminal (kitty or iTerm2 graphics); nothing elsewhere."
            | Open -> "open each image with the system viewer (xdg-open, open, start)."
            | Prompt _ -> "what the image shows; '-' reads it from stdin; after `--` it may start with '-'."
            | Output _ -> "the file to write (with --count N: PATH-1.ext … PATH-N.ext), or an existing folder to write into."
            | Force -> "let --output replace existing files."
            | Image _ -> "a source image to edit (local path, http(s) URL or data: URL); repeat for references."
            | Mask _ -> "a PNG with alpha, the size of the first --image, where the model takes a mask."
            | Input_Fidelity _ -> "OpenAI edits: high or low."
            | Size _ ->
                "auto or WxH: exact on openai/openai-codex (gpt-image-2 rules) and FAL models with image_size; the nearest ratio and resolution on xai and gemini."
            | Quality _ -> "low, medium, high or auto (openai, openai-codex, FAL models with quality); overrides the tier's."
            | Format _ -> "png, jpeg or webp (openai, openai-codex, fal)."
            | Compression _ -> "0 to 100, with --format jpeg or webp (openai, openai-codex)."
            | Background _ -> "transparent (png or webp), opaque or auto (openai, openai-codex)."
            | Moderation _ -> "low or auto (openai, openai-codex)."
            | Seed _ -> "a seed for repeatable images (FAL models with a seed, gemini)."
            | Timeout _ -> "seconds each provider call may take in total; overrides image_gen.timeout (default 300)."
            | Prompt_File _ -> "read the prompt from this file."
            | Provider _ -> "a registered provider (fal, xai, openai, openai-codex); overrides image_gen.provider."
            | Model _ -> "a model id of the provider's catalog (see `hermes models`)."
            | Aspect _ -> "landscape, square or portrait (default landscape), or a ratio W:H (xai, gemini, FAL models with aspect_ratio)."
            | Resolution _ -> "xAI only: 1k or 2k."
            | Count _ -> "how many images (1 to 16): one request with the API's n where it has one (OpenAI, xAI, endpoints up to 10; FAL num_images), else one request each, concurrently."
            | Out _ -> "also copy the images into this folder."
            | Json -> "print one JSON document instead of paths."

[<HelpFlags("--help", "-h")>]
type ProvidersArgs =
    | Json

    interface IArgParserTemplate with
        member _.Usage = "print one JSON document."

[<HelpFlags("--help", "-h")>]
type ModelsArgs =
    | [<Unique>] Provider of name: string
    | Json

    interface IArgParserTemplate with
        member this.Usage =
            match this with
            | Provider _ -> "only this provider's models."
            | Json -> "print one JSON document."

[<HelpFlags("--help", "-h")>]
type ConfigListArgs =
    | Json

    interface IArgParserTemplate with
        member _.Usage = "print one JSON document."

[<HelpFlags("--help", "-h")>]
type ConfigGetArgs =
    | [<MainCommand; ExactlyOnce>] Key of key: string
    | Json

    interface IArgParserTemplate with
        member this.Usage =
            match this with
            | Key _ -> "a dotted key such as image_gen.provider."
            | Json -> "print one JSON document."

[<HelpFlags("--help", "-h")>]
type ConfigSetArgs =
    | [<MainCommand; ExactlyOnce>] Key_Value of key: string * value: string
    | Force
    | Json

    interface IArgParserTemplate with
        member this.Usage =
            match this with
            | Key_Value _ -> "a dotted key and its value, e.g. image_gen.provider xai."
            | Force -> "write a key Hermes does not know, or replace an unreadable config.yaml (kept aside)."
            | Json -> "print one JSON document."

[<HelpFlags("--help", "-h")>]
type ConfigUnsetArgs =
    | [<MainCommand; ExactlyOnce>] Key of key: string
    | Json

    interface IArgParserTemplate with
        member this.Usage =
            match this with
            | Key _ -> "a dotted key such as image_gen.provider."
            | Json -> "print one JSON document."

[<HelpFlags("--help", "-h")>]
type ConfigArgs =
    | [<CliPrefix(CliPrefix.None)>] List of ParseResults<ConfigListArgs>
    | [<CliPrefix(CliPrefix.None)>] Get of ParseResults<ConfigGetArgs>
    | [<CliPrefix(CliPrefix.None)>] Set of ParseResults<ConfigSetArgs>
    | [<CliPrefix(CliPrefix.None)>] Unset of ParseResults<ConfigUnsetArgs>

    interface IArgParserTemplate with
        member this.Usage =
            match this with
            | List _ -> "print every value set in $HERMES_HOME/config.yaml."
            | Get _ -> "print a value of $HERMES_HOME/config.yaml."
            | Set _ -> "set a value of $HERMES_HOME/config.yaml, keeping every other key."
            | Unset _ -> "remove a value of $HERMES_HOME/config.yaml, keeping every other key."

[<HelpFlags("--help", "-h")>]
type AuthAddArgs =
    | [<MainCommand; ExactlyOnce>] Provider of provider: string
    | No_Browser
    | [<Unique>] Timeout of seconds: int
    | Json

    interface IArgParserTemplate with
        member this.Usage =
            match this with
            | Provider _ -> "xai-oauth."
            | No_Browser -> "print the sign-in URL instead of opening a browser."
            | Timeout _ -> "seconds to wait for the browser (default 180)."
            | Json -> "print one JSON document (the sign-in URL goes to stderr)."

[<HelpFlags("--help", "-h")>]
type AuthListArgs =
    | Json

    interface IArgParserTemplate with
        member _.Usage = "print one JSON document."

[<HelpFlags("--help", "-h")>]
type AuthRemoveArgs =
    | [<MainCommand; ExactlyOnce>] Target of provider: string * number: string
    | Json

    interface IArgParserTemplate with
        member this.Usage =
            match this with
            | Target _ -> "xai-oauth and the entry number from `hermes auth list`."
            | Json -> "print one JSON document."

[<HelpFlags("--help", "-h")>]
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

[<HelpFlags("--help", "-h")>]
type McpArgs =
    | Inline_Images

    interface IArgParserTemplate with
        member _.Usage =
            "also put each image in tool results as base64 (as HERMES_MCP_INLINE_IMAGES=1)."

[<HelpFlags("--help", "-h")>]
type CacheListArgs =
    | Json

    interface IArgParserTemplate with
        member _.Usage = "print one JSON document."

[<HelpFlags("--help", "-h")>]
type CachePruneArgs =
    | [<Unique>] Older_Than of age: string
    | [<Unique>] Max_Size of size: string
    | Json

    interface IArgParserTemplate with
        member this.Usage =
            match this with
            | Older_Than _ -> "remove images older than this (30d, 12h, 45m, 2w); default image_gen.cache.max_age_days."
            | Max_Size _ -> "remove the oldest images until the cache fits (2GB, 500MB); default image_gen.cache.max_total_mb."
            | Json -> "print one JSON document."

[<HelpFlags("--help", "-h")>]
type CacheArgs =
    | [<CliPrefix(CliPrefix.None)>] List of ParseResults<CacheListArgs>
    | [<CliPrefix(CliPrefix.None)>] Prune of ParseResults<CachePruneArgs>

    interface IArgParserTemplate with
        member this.Usage =
            match this with
            | List _ -> "list the cached images, oldest first, with size, time, provider and model."
            | Prune _ -> "remove the oldest cached images (and their sidecars), never the newest."

[<HelpFlags("--help", "-h")>]
type HistoryArgs =
    | [<AltCommandLine("-n"); Unique>] Count of n: int
    | Json

    interface IArgParserTemplate with
        member this.Usage =
            match this with
            | Count _ -> "how many of the newest images (default 20)."
            | Json -> "print one JSON document."

[<HelpFlags("--help", "-h")>]
type BatchArgs =
    | [<MainCommand; ExactlyOnce>] File of jsonl: string
    | [<Unique>] Parallel of n: int
    | [<Unique>] Results of file: string
    | Resume
    | [<Unique>] Max_Cost of usd: string
    | Allow_Unknown_Cost
    | [<AltCommandLine("-q")>] Quiet
    | Json

    interface IArgParserTemplate with
        member this.Usage =
            match this with
            | File _ -> "a JSONL file: one request object per line ({\"prompt\": …} plus generate's options)."
            | Parallel _ -> "how many lines run at once (1 to 16, default 8: as many as one generate call runs)."
            | Results _ -> "the results JSONL, appended as each line finishes (default FILE.results.jsonl)."
            | Resume -> "skip the lines the results file already records as done."
            | Max_Cost _ -> "refuse the whole batch before any request when its estimated cost in US dollars exceeds this."
            | Allow_Unknown_Cost -> "with --max-cost: run lines whose price is not published (else refused)."
            | Quiet -> "no progress on stderr."
            | Json -> "print one JSON document (a summary)."

[<HelpFlags("--help", "-h")>]
type HermesArgs =
    | [<CliPrefix(CliPrefix.None)>] Generate of ParseResults<GenerateArgs>
    | [<CliPrefix(CliPrefix.None)>] Batch of ParseResults<BatchArgs>
    | [<CliPrefix(CliPrefix.None)>] Providers of ParseResults<ProvidersArgs>
    | [<CliPrefix(CliPrefix.None)>] Models of ParseResults<ModelsArgs>
    | [<CliPrefix(CliPrefix.None)>] Config of ParseResults<ConfigArgs>
    | [<CliPrefix(CliPrefix.None)>] Auth of ParseResults<AuthArgs>
    | [<CliPrefix(CliPrefix.None)>] Mcp of ParseResults<McpArgs>
    | [<CliPrefix(CliPrefix.None)>] Cache of ParseResults<CacheArgs>
    | [<CliPrefix(CliPrefix.None)>] History of ParseResults<HistoryArgs>
    | Version

    interface IArgParserTemplate with
        member this.Usage =
            match this with
            | Generate _ -> "generate images from a prompt and print their local paths."
            | Batch _ -> "generate every request of a JSONL file, a few at a time, recording each line's result."
            | Providers _ -> "list providers, whether each is available, and why not."
            | Models _ -> "list models."
            | Config _ -> "read or change $HERMES_HOME/config.yaml."
            | Auth _ -> "manage sign-ins."
            | Mcp _ -> "serve Hermes to agents over MCP (stdio): generate_image, list_models, list_providers."
            | Cache _ -> "list or prune the image cache ($HERMES_HOME/cache/images)."
            | History _ -> "the newest images with the prompt, provider and model that made them."
            | Version -> "print the version."
