namespace Hermes.Cli.Mcp

open System
open System.ComponentModel
open System.Runtime.InteropServices
open System.Text.Json
open System.Threading
open System.Threading.Tasks
open Hermes.Cli
open Hermes.Cli.Commands
open Hermes.Domain
open Hermes
open Hermes.Providers.Core
open Hermes.Providers.Library
open ModelContextProtocol
open ModelContextProtocol.Protocol
open ModelContextProtocol.Server

/// The tools `hermes mcp` serves. The SDK makes each input schema from a method's typed parameters and their
/// descriptions; every call opens the library afresh, so new sign-ins and config changes apply without a restart.
type HermesTools(inlineByDefault: bool) =

    /// Each library progress step as an MCP progress notification with a rising count.
    static member private Reporter(progress: IProgress<ProgressNotificationValue>) =
        let steps = ref 0

        { new IProgress<GenerationProgress> with
            member _.Report step =
                let n = Interlocked.Increment(&steps.contents)
                progress.Report(ProgressNotificationValue(Progress = float32 n, Message = ImageRequest.progressMessage step))
        }

    [<Description("Generate images from a text prompt with Hermes (xAI, OpenAI, OpenAI Codex or FAL.ai); each image is saved in the local Hermes cache and returned as a path and a file resource_link. Call list_providers to see which providers are ready and list_models for the models and their limits.")>]
    member _.GenerateImage
        (
            [<Description("What the image shows, in plain words.")>] prompt: string,
            [<Description("landscape, square or portrait (default landscape). Any other value becomes landscape with a note in the result.");
              Optional;
              DefaultParameterValue(null: string)>] aspect_ratio: string,
            [<Description("auto or an exact WxH such as 1024x1536, as `hermes generate --size`: exact on openai, openai-codex, configured endpoints and FAL models with image_size; the nearest ratio and resolution on xai, gemini and FAL models with aspect_ratio (the size asked for comes back as requested_size). Without aspect_ratio it also picks the aspect. On xai also 1k or 2k, the resolution (default from config, else 1k; other providers ignore 1k and 2k). A provider or model that takes no size refuses it before anything is sent; list_models shows each model's sizes.");
              Optional;
              DefaultParameterValue(null: string)>] size: string,
            [<Description("low, medium, high or auto, as `hermes generate --quality`: openai, openai-codex and configured endpoints (it overrides the quality of the gpt-image-2 tier model: low about 15 s, medium 40 s, high 2 min) and FAL models with a quality. xai has none: choose its model grok-imagine-image-quality instead. A provider or model that takes no quality refuses it before anything is sent; list_models shows each model's qualities.");
              Optional;
              DefaultParameterValue(null: string)>] quality: string,
            [<Description("How many images, 1 to 16 (default 1): one request with the API's own n where the provider has it (openai, xai, configured endpoints: up to 10 a request; FAL models with num_images), else one request per image, run at once.");
              Optional;
              DefaultParameterValue(1)>] count: int,
            [<Description("A provider name from list_providers (fal, xai, openai, openai-codex, gemini, or an endpoint of image_gen.endpoints); default: the configured or first available one (never an endpoint).");
              Optional;
              DefaultParameterValue(null: string)>] provider: string,
            [<Description("A model id from list_models for the chosen provider; default: the provider's default model.");
              Optional;
              DefaultParameterValue(null: string)>] model: string,
            [<Description("Images to edit: local paths, http(s) URLs or data:image URLs; the first is edited, the rest are references.");
              Optional;
              DefaultParameterValue(null: string array)>] images: string array,
            [<Description("A PNG with alpha, the size of the first image, marking the area to edit (providers that take a mask).");
              Optional;
              DefaultParameterValue(null: string)>] mask: string,
            [<Description("Also return each image inline as base64 (large: use only when you must see the pixels). Default false, or the server's HERMES_MCP_INLINE_IMAGES.");
              Optional;
              DefaultParameterValue(false)>] ``inline``: bool,
            [<Description("png, jpeg or webp (openai, openai-codex, fal); other providers refuse it.");
              Optional;
              DefaultParameterValue(null: string)>] output_format: string,
            [<Description("0 to 100, with output_format jpeg or webp (openai, openai-codex).");
              Optional>] compression: Nullable<int>,
            [<Description("transparent (png or webp), opaque or auto (openai, openai-codex).");
              Optional;
              DefaultParameterValue(null: string)>] background: string,
            [<Description("low or auto (openai, openai-codex).");
              Optional;
              DefaultParameterValue(null: string)>] moderation: string,
            [<Description("A seed for repeatable images (fal models with a seed, gemini).");
              Optional>] seed: Nullable<int>,
            progress: IProgress<ProgressNotificationValue>,
            ct: CancellationToken
        ) : Task<CallToolResult> =
        let text = Option.ofObj
        // a blank value counts as not given, as agents send "" for an argument they mean to leave out
        let given (value: string) = text value |> Option.bind Validation.nonBlank
        let aspect, aspectNote = ImageRequest.aspect (text aspect_ratio)

        let sources =
            images |> Option.ofObj |> Option.map List.ofArray |> Option.defaultValue []

        let ready =
            result {
                let! resolution, exactSize = ImageRequest.size (text size) |> Result.mapError CliError.Invalid
                let! opened = Client.load Client.ConfigUse.Required
                let! plan = Generate.preflight opened.Client (text provider) (text model)

                let asked =
                    { OutputControls.nothingAsked with
                        Size = exactSize
                        Quality = given quality
                        Format = text output_format
                        Compression = Option.ofNullable compression
                        Background = text background
                        Moderation = text moderation
                        Seed = Option.ofNullable seed
                    }

                // the CLI's own check of every output control, for the provider and model the dispatch chose: nothing is sent on a refusal
                do!
                    match Dispatch.providerOf plan.Outcome.Decision with
                    | Some(chosen, chosenModel) ->
                        Generate.controlsFor opened.Client chosen chosenModel (not sources.IsEmpty) asked
                        |> Result.map ignore
                    | None -> Ok()

                return
                    opened.Client,
                    HermesGenerateOptions(
                        Provider = Option.toObj (text provider),
                        Model = Option.toObj (text model),
                        // without an aspect_ratio an exact size picks the aspect, as on the CLI
                        AspectRatio = (if (given aspect_ratio).IsSome then aspect else null),
                        Resolution = Option.toObj resolution,
                        Size = Option.toObj exactSize,
                        Quality = Option.toObj (given quality),
                        Count = count,
                        Sources = ResizeArray sources,
                        Mask = Option.toObj (text mask),
                        OutputFormat = Option.toObj (text output_format),
                        Compression = compression,
                        Background = Option.toObj (text background),
                        Moderation = Option.toObj (text moderation),
                        Seed = seed,
                        Progress = HermesTools.Reporter progress
                    )
            }

        match ready with
        | Error failure -> Task.FromResult(ToolResult.ofCliError failure)
        | Ok(client, options) ->
            task {
                let! made = client.GenerateAsync(prompt, options, ct)
                // What did not finish after a cancel is the cancel itself: the SDK sends no answer to it.
                ct.ThrowIfCancellationRequested()

                let inlineImages = ``inline`` || inlineByDefault

                return ToolResult.generated (Generate.ofLibrary made) (Option.toList aspectNote) inlineImages
            }

    [<Description("List each provider's models (id, display name, speed, strengths, which is the default, the qualities and sizes it takes) with the limits generate_image accepts: count, aspect ratios, the default model's qualities and sizes, and the pattern of other model ids the provider passes through.")>]
    member _.ListModels
        ([<Description("Only this provider's models (fal, xai, openai, openai-codex, gemini, or a configured endpoint); default: all providers.");
           Optional;
           DefaultParameterValue(null: string)>] provider: string)
        : CallToolResult =
        let listed =
            result {
                let! opened = Client.load Client.ConfigUse.Optional
                let! rows = Models.ofLibrary opened.Client (Option.ofObj provider)
                let providers = opened.Client.Registry.All |> List.ofSeq
                let catalogs = providers |> List.map _.Catalog

                let controlsAs (name: string) =
                    providers
                    |> List.tryFind (fun p -> p.Name = name)
                    |> Option.map _.OutputControlsAs
                    |> Option.defaultValue name

                return Listings.models catalogs controlsAs rows opened.Warnings
            }

        match listed with
        | Ok document -> ToolResult.json document
        | Error failure -> ToolResult.ofCliError failure

    [<Description("List the providers, whether each is available and, when not, what fixes it (an environment variable or a sign-in), and which provider and model generate_image uses by default now.")>]
    member _.ListProviders() : CallToolResult =
        match Client.load Client.ConfigUse.Optional with
        | Ok opened -> ToolResult.json (Listings.providers (Providers.ofLibrary opened.Client opened.Warnings))
        | Error failure -> ToolResult.ofCliError failure

/// A tool whose arguments are checked against its schema first: a wrong argument is a tool error naming it, and an
/// unexpected exception a tool error too; cancellation passes through so the SDK answers nothing.
type CheckedTool(inner: McpServerTool) =
    inherit DelegatingMcpServerTool(inner)

    let parameters = Arguments.ofSchema inner.ProtocolTool.InputSchema

    override _.InvokeAsync(request: RequestContext<CallToolRequestParams>, ct: CancellationToken) =
        let arguments =
            match request.Params.Arguments with
            | null -> []
            | given -> [ for kv in given -> kv.Key, kv.Value ]

        match Arguments.check inner.ProtocolTool.Name parameters arguments with
        | Error problem -> ValueTask<CallToolResult>(ToolResult.error problem)
        | Ok() ->
            ValueTask<CallToolResult>(
                task {
                    try
                        return! inner.InvokeAsync(request, ct)
                    with e when not (e :? OperationCanceledException) ->
                        if Environment.GetEnvironmentVariable "HERMES_DEBUG" = "1" then
                            Console.Error.WriteLine(e.ToString())

                        return ToolResult.error ("internal error: " + e.Message)
                }
            )

module HermesTools =

    let private named (name: string) (title: string) (readOnly: bool) =
        McpServerToolCreateOptions(Name = name, Title = title, ReadOnly = Nullable readOnly, OpenWorld = Nullable true)

    /// generate_image, list_models and list_providers, each checked before the SDK binds its arguments.
    let all (inlineByDefault: bool) : McpServerTool list =
        let target = HermesTools inlineByDefault
        // Each GetMethod on typeof<HermesTools> itself, so NativeAOT sees which methods reflection needs
        [
            "generate_image", "Generate images", false, typeof<HermesTools>.GetMethod "GenerateImage"
            "list_models", "List models", true, typeof<HermesTools>.GetMethod "ListModels"
            "list_providers", "List providers", true, typeof<HermesTools>.GetMethod "ListProviders"
        ]
        |> List.map (fun (name, title, readOnly, method) ->
            new CheckedTool(McpServerTool.Create(method, target, named name title readOnly)) :> McpServerTool)
