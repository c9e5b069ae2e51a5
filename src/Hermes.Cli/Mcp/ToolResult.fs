/// The tool results an agent reads: text it can act on, a resource_link per image, inline images only when asked.
module Hermes.Cli.Mcp.ToolResult

open System
open System.Collections.Generic
open System.IO
open System.Text.Json
open System.Text.Json.Nodes
open Hermes.Cli
open Hermes.Cli.Commands
open Hermes.Domain
open ModelContextProtocol.Protocol

let private toolResult (isError: bool) (blocks: ContentBlock list) =
    CallToolResult(Content = List<ContentBlock>(blocks), IsError = Nullable isError)

let private text (body: string) =
    TextContentBlock(Text = body) :> ContentBlock

/// A tool error: the one-line message the CLI would print.
let error (message: string) =
    toolResult true [ text (ApiError.oneLine 2000 message) ]

let ofCliError (failure: CliError) = error (CliError.message failure)

// Backticks and quotes stay readable: the text goes to an agent, never into HTML.
let private readable =
    JsonSerializerOptions(Encoder = Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping)

/// A JSON document as the text of a successful result.
let json (document: JsonNode) =
    toolResult false [ text (document.ToJsonString readable) ]

let private mediaType (image: string) =
    ImageFile.mediaTypeOf (Path.GetExtension image)

/// A local file as a file URI with its name, type and size; an image left at its URL (caching failed) as that URL.
let private link (image: string) =
    if File.Exists image then
        let full = Path.GetFullPath image

        ResourceLinkBlock(
            Uri = Uri(full).AbsoluteUri,
            Name = Path.GetFileName full,
            MimeType = mediaType full,
            Size = Nullable(FileInfo(full).Length)
        )
        :> ContentBlock
    else
        ResourceLinkBlock(Uri = image, Name = image) :> ContentBlock

let private inlined (image: string) =
    if File.Exists image then
        Some(ImageContentBlock.FromBytes(ReadOnlyMemory(File.ReadAllBytes image), mediaType image) :> ContentBlock)
    else
        None

let private revisedPrompt (result: Generate.GenerateResult) =
    result.Extras
    |> List.tryPick (fun (key, value) ->
        match key, value with
        | "revised_prompt", Generate.Extra.Text revised -> Some revised
        | _ -> None)

/// What the agent reads first: how many images, from which provider and model, their paths, the revised prompt,
/// notes about values Hermes replaced, and what failed when only some images were made.
let summary (result: Generate.GenerateResult) (notes: string list) =
    let count = result.Images.Length

    [
        yield
            $"""{count} image{(if count = 1 then "" else "s")} with {Option.defaultValue "?" result.Provider} · {Option.defaultValue "?" result.Model} ({result.AspectRatio}):"""
        yield! result.Images
        yield!
            revisedPrompt result
            |> Option.map (fun revised -> "revised prompt: " + ApiError.oneLine 4000 revised)
            |> Option.toList
        yield!
            (notes @ Option.toList (Generate.beyondCount result))
            |> List.map (fun note -> "note: " + ApiError.oneLine 300 note)
        yield!
            Generate.problem result
            |> Option.map (fun (problem, _) -> "not made: " + problem)
            |> Option.toList
    ]
    |> String.concat "\n"

/// The images made (some may have failed); a tool error when none was made.
let generated (result: Generate.GenerateResult) (notes: string list) (inlineImages: bool) =
    match result.Images, Generate.problem result with
    | [], Some(problem, _) -> error problem
    | [], None -> error "the provider returned no image"
    | images, _ ->
        let inlines = if inlineImages then List.choose inlined images else []
        toolResult false ([ text (summary result notes) ] @ List.map link images @ inlines)
