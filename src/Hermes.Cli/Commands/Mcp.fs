/// `hermes mcp`: Hermes as a Model Context Protocol server on stdio. Stdout carries only the protocol; every log line
/// goes to stderr through the CLI's logger.
module Hermes.Cli.Commands.Mcp

open System
open System.Threading
open System.Threading.Tasks
open Argu
open Hermes.Cli
open Hermes.Cli.Args
open Hermes.Cli.Mcp
open Hermes.Providers.Core
open ModelContextProtocol.Protocol
open ModelContextProtocol.Server

let private instructions =
    "Hermes generates images from text prompts through xAI, OpenAI, OpenAI Codex or FAL.ai and saves them in a local cache. "
    + "Call list_providers to see which providers are ready (or what fixes them), list_models for models and limits, "
    + "then generate_image; results give each image's local path and a file resource_link."

/// Whether results carry each image inline: `--inline-images` or HERMES_MCP_INLINE_IMAGES=1.
let inlineImages (args: ParseResults<McpArgs>) =
    args.Contains McpArgs.Inline_Images
    || Environment.GetEnvironmentVariable "HERMES_MCP_INLINE_IMAGES" = "1"

/// Serves until the client closes stdin (Ok) or the process is interrupted (cancelled).
let run (args: ParseResults<McpArgs>) (ct: CancellationToken) : Task<Result<unit, CliError>> =
    task {
        let logging = Terminal.loggerFactory ()

        let options =
            McpServerOptions(
                ServerInfo = Implementation(Name = "hermes", Version = HermesVersion.Version),
                ServerInstructions = instructions,
                ToolCollection = McpServerPrimitiveCollection<McpServerTool>()
            )

        for tool in HermesTools.all (inlineImages args) do
            options.ToolCollection.Add tool

        let transport = new StdioServerTransport(options, logging)
        let server = McpServer.Create(transport, options, logging)

        try
            do! server.RunAsync ct
        finally
            server.DisposeAsync().AsTask().GetAwaiter().GetResult()
            transport.DisposeAsync().AsTask().GetAwaiter().GetResult()

        return Ok()
    }
