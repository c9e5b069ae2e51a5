/// mcp.md's rules for agents' arguments: lenient aspect ratio, strict everything else, with the CLI's messages.
module Hermes.Tests.Mcp.McpRulesTests

open System.Text.Json
open Xunit
open FsCheck.Xunit
open Hermes.Domain
open Hermes
open Hermes.Providers.Core
open Hermes.Cli.Mcp

let private value (json: string) =
    JsonDocument.Parse(json).RootElement.Clone()

let private schema =
    value
        """{"type":"object","properties":{"prompt":{"type":"string"},"count":{"type":"integer","default":1},"images":{"type":"array","items":{"type":"string"}},"inline":{"type":"boolean"},"model":{"type":["string","null"]}},"required":["prompt"]}"""

let private parameters = Arguments.ofSchema schema

let private check (arguments: (string * string) list) =
    Arguments.check "generate_image" parameters (arguments |> List.map (fun (k, v) -> k, value v))

let private names = [ "prompt"; "count"; "images"; "inline"; "model" ]

[<Fact>]
let ``the schema's parameters are read with their kinds and which are required`` () =
    let parameter name kind required : Arguments.Parameter =
        {
            Arguments.Name = name
            Kind = kind
            Required = required
        }

    Assert.Equal<Arguments.Parameter list>(
        [
            parameter "prompt" Arguments.Kind.Text true
            parameter "count" Arguments.Kind.Integer false
            parameter "images" Arguments.Kind.TextList false
            parameter "inline" Arguments.Kind.Flag false
            parameter "model" Arguments.Kind.Text false
        ],
        parameters
    )

[<Property>]
let ``arguments of the declared kinds pass`` (prompt: string) (count: int) (flag: bool) =
    let text = JsonSerializer.Serialize(if isNull prompt then "" else prompt)

    check
        [
            "prompt", text
            "count", string count
            "inline", (if flag then "true" else "false")
            "images", "[" + text + "]"
        ] = Ok()

[<Property>]
let ``an undeclared argument is refused by name with the allowed names`` (name: string) =
    let name = if isNull name then "" else name

    match check [ "prompt", "\"a fox\""; name, "1" ] with
    | Ok() -> List.contains name names
    | Error message ->
        not (List.contains name names)
        && message.StartsWith "unknown argument '"
        && message.Contains "allowed are prompt, count, images, inline, model"
        && not (message.Contains "\n")

[<Fact>]
let ``a near miss gets a did-you-mean`` () =
    Assert.Equal(
        Error "unknown argument 'prompr' for generate_image: allowed are prompt, count, images, inline, model; did you mean 'prompt'?",
        check [ "prompr", "\"a fox\"" ]
    )

[<Fact>]
let ``a missing required argument is named, and null counts as missing`` () =
    Assert.Equal(Error "missing argument 'prompt' for generate_image: give a string", check [ "count", "2" ])
    Assert.Equal(Error "missing argument 'prompt' for generate_image: give a string", check [ "prompt", "null" ])
    Assert.Equal(Ok(), check [ "prompt", "\"a fox\""; "model", "null"; "count", "null" ])

[<Fact>]
let ``an argument of the wrong JSON type names the value and what is allowed`` () =
    Assert.Equal(
        Error "invalid count \"three\" for generate_image: allowed values are an integer",
        check [ "prompt", "\"a fox\""; "count", "\"three\"" ]
    )

    Assert.Equal(
        Error "invalid count 1.5 for generate_image: allowed values are an integer",
        check [ "prompt", "\"a fox\""; "count", "1.5" ]
    )

    Assert.Equal(Error "invalid prompt 42 for generate_image: allowed values are a string", check [ "prompt", "42" ])

    Assert.Equal(
        Error "invalid images [\"a.png\",3] for generate_image: allowed values are an array of strings",
        check [ "prompt", "\"a fox\""; "images", """["a.png",3]""" ]
    )

    Assert.Equal(
        Error "invalid inline \"yes\" for generate_image: allowed values are true or false",
        check [ "prompt", "\"a\""; "inline", "\"yes\"" ]
    )

[<Property>]
let ``an aspect ratio Hermes does not know becomes landscape with a note naming it`` (given: string) =
    let used, note = ImageRequest.aspect (Some given)

    match Validation.nonBlank given with
    | None -> used = "landscape" && note.IsNone
    | Some text ->
        match AspectRatio.parse text with
        | Ok ratio -> used = AspectRatio.toWire ratio && note.IsNone
        | Error _ ->
            used = "landscape"
            && note = Some(sprintf "aspect_ratio '%s' is not one of landscape, square, portrait; using 'landscape'" text)

[<Fact>]
let ``no aspect ratio is landscape without a note`` () =
    Assert.Equal(("landscape", None), ImageRequest.aspect None)
    Assert.Equal(("portrait", None), ImageRequest.aspect (Some " Portrait "))

[<Property>]
let ``size is xAI's 1k or 2k, or auto or WxH as --size takes it; anything else is refused naming every allowed form``
    (given: string)
    =
    match ImageRequest.size (Some given), Validation.nonBlank given with
    | Ok(None, None), None -> true
    | Ok(Some resolution, None), Some text -> resolution = text && (resolution = "1k" || resolution = "2k")
    | Ok(None, Some size), Some text ->
        size = text.ToLowerInvariant()
        && (size = "auto" || (OutputControls.dimensions size).IsSome)
    | Error message, Some text ->
        message.StartsWith "invalid size '"
        && message.EndsWith "': allowed values are auto, WxH such as 1024x1024, or xAI's resolution 1k or 2k"
        && (OutputControls.dimensions text).IsNone
    | _ -> false

[<Fact>]
let ``size sorts the old resolutions from exact sizes`` () =
    Assert.Equal(Ok(Some "2k", None), ImageRequest.size (Some " 2k "))
    Assert.Equal(Ok(None, Some "1024x1536"), ImageRequest.size (Some "1024x1536"))
    Assert.Equal(Ok(None, Some "auto"), ImageRequest.size (Some "AUTO"))
    Assert.Equal(Ok(None, None), ImageRequest.size (Some " "))

    Assert.Equal(
        Error "invalid size '4k': allowed values are auto, WxH such as 1024x1024, or xAI's resolution 1k or 2k",
        ImageRequest.size (Some "4k")
    )

[<Fact>]
let ``list_models' qualities and sizes are what OutputControls.forProvider takes for the model`` () =
    Assert.Equal((OutputControls.qualities, [ "auto"; "WxH" ]), ImageRequest.takes "openai" "gpt-image-2-medium")
    Assert.Equal((OutputControls.qualities, [ "auto"; "WxH" ]), ImageRequest.takes "openai-codex" "gpt-image-2-high")
    Assert.Equal(([], [ "1k"; "2k"; "auto"; "WxH" ]), ImageRequest.takes "xai" "grok-imagine-image")
    Assert.Equal(([], [ "auto"; "WxH" ]), ImageRequest.takes "gemini" "gemini-3.1-flash-image")
    Assert.Equal(([], [ "auto"; "WxH" ]), ImageRequest.takes "fal" FalCatalog.defaultModel)
    Assert.Equal((OutputControls.qualities, [ "auto"; "WxH" ]), ImageRequest.takes "fal" "fal-ai/gpt-image-1.5")

[<Property>]
let ``a progress message is one line that names the stage, previews by their detail`` (stage: string) (detail: string) =
    let stage = if isNull stage then "queued" else stage.Replace('\n', ' ')
    let detail = if isNull detail then "" else detail.Replace('\n', ' ')
    let message = ImageRequest.progressMessage (GenerationProgress(stage, detail))

    not (message.Contains '\n')
    && (if stage = "partial" && detail.Trim() <> "" then
            message = detail.Trim()
        else
            message.StartsWith stage)

[<Fact>]
let ``progress messages for the FAL queue, a Codex preview and a download`` () =
    Assert.Equal("queued: position 2", ImageRequest.progressMessage (GenerationProgress("queued", "position 2")))
    Assert.Equal("preview 1 received", ImageRequest.progressMessage (GenerationProgress("partial", "preview 1 received")))
    Assert.Equal("downloading: https://x/y.png", ImageRequest.progressMessage (GenerationProgress("downloading", "https://x/y.png")))

let private made (images: string list) (failures: (string * ErrorKind) list) : Hermes.Cli.Commands.Generate.GenerateResult =
    {
        Images = images
        Failures = failures |> List.map (fun (e, k) -> { Error = e; Kind = k })
        Provider = Some "openai"
        Model = Some "gpt-image-2-high"
        Prompt = "a fox"
        AspectRatio = "square"
        Extras =
            [
                "revised_prompt", Hermes.Cli.Commands.Generate.Extra.Text "a red fox,\nsitting"
            ]
    }

[<Fact>]
let ``the summary names the images, provider, model, revised prompt, notes and what was not made`` () =
    Assert.Equal(
        "1 image with openai · gpt-image-2-high (square):\n/c/a.png\nrevised prompt: a red fox, sitting\nnote: aspect_ratio 'wide' is not one of landscape, square, portrait; using 'landscape'\nnot made: 1 of 2 images failed: rate limited",
        ToolResult.summary
            (made [ "/c/a.png" ] [ "rate limited", ErrorKind.RateLimited ])
            [
                "aspect_ratio 'wide' is not one of landscape, square, portrait; using 'landscape'"
            ]
    )

[<Fact>]
let ``a partial result is a success with its images; no image at all is a tool error with the first failure`` () =
    let partial =
        ToolResult.generated (made [ "/c/a.png" ] [ "rate limited", ErrorKind.RateLimited ]) [] false

    Assert.False(partial.IsError.GetValueOrDefault())

    let failed =
        ToolResult.generated (made [] [ "OpenAI refused the prompt (content policy)", ErrorKind.ContentPolicy ]) [] false

    Assert.True(failed.IsError.GetValueOrDefault())

    Assert.Equal(
        "OpenAI refused the prompt (content policy)",
        (Seq.exactlyOne failed.Content :?> ModelContextProtocol.Protocol.TextContentBlock).Text
    )

[<Fact>]
let ``the tool's text notes images a provider sent beyond the count`` () =
    let result: Hermes.Cli.Commands.Generate.GenerateResult =
        {
            Images = [ "/c/a.png"; "/c/b.png"; "/c/c.png" ]
            Failures = []
            Provider = Some "openai"
            Model = Some "gpt-image-2-medium"
            Prompt = "a fox"
            AspectRatio = "landscape"
            Extras = [ HermesClient.BeyondCount, Hermes.Cli.Commands.Generate.Extra.Number 1.0 ]
        }

    Assert.EndsWith(
        "note: the provider returned 3 images where 2 were asked for; all were kept",
        ToolResult.summary result []
    )
