/// mcp.md, proved on the built `hermes mcp` through the SDK's own MCP client against the loopback provider fakes.
module Hermes.Tests.Mcp.McpServerTests

open System
open System.Collections.Concurrent
open System.IO
open System.Text.Json
open System.Threading
open System.Threading.Tasks
open ModelContextProtocol
open ModelContextProtocol.Protocol
open Xunit
open Hermes.Tests.Cli.HermesProcess
open Hermes.Tests.Mcp.McpSession
open Hermes.Tests.Support
open Hermes.Tests.Support.Fakes

let private falEnv (fake: FakeFal) =
    [ "FAL_KEY", "fal-test-key-123456"; "FAL_QUEUE_BASE_URL", fake.BaseUrl ]

let private properties (tool: Tool) =
    [
        for p in tool.InputSchema.GetProperty("properties").EnumerateObject() -> p.Name, p.Value
    ]

let private required (tool: Tool) =
    match tool.InputSchema.TryGetProperty "required" with
    | true, r -> [ for e in r.EnumerateArray() -> e.GetString() ]
    | _ -> []

[<Fact>]
let ``initialize names the server; tools/list shows the three tools with typed, described parameters`` () =
    task {
        use home = new TestHome()
        use! session = connect home [] []
        Assert.Equal("hermes", session.Client.ServerInfo.Name)
        Assert.Equal("0.1.0", session.Client.ServerInfo.Version)

        let! tools = session.Client.ListToolsAsync()

        let byName =
            tools |> Seq.map (fun t -> t.ProtocolTool.Name, t.ProtocolTool) |> Map.ofSeq

        Assert.Equal<string list>([ "generate_image"; "list_models"; "list_providers" ], byName |> Map.keys |> List.ofSeq)

        let generate = byName["generate_image"]
        Assert.Equal<string list>([ "prompt" ], required generate)

        Assert.Equal<(string * string) list>(
            [
                "prompt", "string"
                "aspect_ratio", "string"
                "size", "string"
                "quality", "string"
                "count", "integer"
                "provider", "string"
                "model", "string"
                "images", "array"
                "mask", "string"
                "inline", "boolean"
                "output_format", "string"
                "compression", "integer"
                "background", "string"
                "moderation", "string"
                "seed", "integer"
            ],
            properties generate
            |> List.map (fun (n, p) ->
                let kind = p.GetProperty("type")

                // a nullable number is ["integer", "null"]
                n,
                (if kind.ValueKind = JsonValueKind.Array then
                     kind.EnumerateArray() |> Seq.map _.GetString() |> Seq.find ((<>) "null")
                 else
                     kind.GetString()))
        )

        for tool in byName.Values do
            Assert.False(String.IsNullOrWhiteSpace tool.Description, tool.Name)

            for name, p in properties tool do
                Assert.False(String.IsNullOrWhiteSpace(p.GetProperty("description").GetString()), name)

        Assert.Equal<string list>([], required byName["list_models"])
        Assert.Equal<string list>([ "provider" ], properties byName["list_models"] |> List.map fst)
        Assert.Equal<string list>([], properties byName["list_providers"] |> List.map fst)
    }

[<Fact>]
let ``generate_image against the xAI fake saves the file and answers with its path, provider, model and a resource_link`` () =
    task {
        use home = new TestHome()
        use api = xaiApi 200
        use! session = connect home (xaiEnv api) []

        let! result = session.Call("generate_image", [ "prompt", box "a red fox in snow"; "count", box 2 ])
        expectSuccess result
        let files = home.CachedFiles()
        Assert.Equal(2, files.Length)

        let text = Assert.Single(texts result)
        let lines = text.Split '\n'
        Assert.Equal("2 images with xai · grok-imagine-image (landscape):", lines[0])
        Assert.Equal<string list>(List.ofArray files, lines[1..2] |> Array.sort |> List.ofArray)

        let linked = links result
        Assert.Equal<string list>(files |> Array.map (fun f -> Uri(f).AbsoluteUri) |> List.ofArray, linked |> List.map _.Uri |> List.sort)

        for link in linked do
            Assert.Equal("image/png", link.MimeType)
            Assert.Equal(Path.GetFileName(Uri(link.Uri).LocalPath), link.Name)
            Assert.Equal(Nullable(FileInfo(Uri(link.Uri).LocalPath).Length), link.Size)

        Assert.Empty(inlineImages result)
        // count is xAI's native n: one request for both
        Assert.Equal(2, askedImages (Assert.Single api.Requests))
    }

[<Fact>]
let ``inline image content only when asked: the inline argument, --inline-images or HERMES_MCP_INLINE_IMAGES=1`` () =
    task {
        use home = new TestHome()
        use api = xaiApi 200

        let inlinedFile (result: CallToolResult) =
            expectSuccess result
            let image = Assert.Single(inlineImages result)
            Assert.Equal("image/png", image.MimeType)
            let path = Uri((Assert.Single(links result)).Uri).LocalPath
            Assert.Equal<byte[]>(File.ReadAllBytes path, image.DecodedData.ToArray())

        use! plain = connect home (xaiEnv api) []
        let! asked = plain.Call("generate_image", [ "prompt", box "a fox"; "inline", box true ])
        inlinedFile asked

        use! flagged = connect home (xaiEnv api) [ "--inline-images" ]
        let! byFlag = flagged.Call("generate_image", [ "prompt", box "a fox" ])
        inlinedFile byFlag

        use! configured = connect home (("HERMES_MCP_INLINE_IMAGES", "1") :: xaiEnv api) []
        let! byEnv = configured.Call("generate_image", [ "prompt", box "a fox" ])
        inlinedFile byEnv
    }

[<Fact>]
let ``an aspect ratio an agent invented becomes landscape with a note; a known one is sent`` () =
    task {
        use home = new TestHome()
        use api = xaiApi 200
        use! session = connect home (xaiEnv api) []

        let! invented = session.Call("generate_image", [ "prompt", box "a fox"; "aspect_ratio", box "cinematic" ])
        expectSuccess invented
        let text = Assert.Single(texts invented)
        Assert.EndsWith(" (landscape):", (text.Split '\n')[0])
        Assert.Contains("note: aspect_ratio 'cinematic' is not one of landscape, square, portrait; using 'landscape'", text)

        let! square = session.Call("generate_image", [ "prompt", box "a fox"; "aspect_ratio", box "square" ])
        expectSuccess square
        Assert.DoesNotContain("note:", Assert.Single(texts square))

        let sent = api.Requests |> List.map (fun r -> jsonField r.Body "aspect_ratio")
        Assert.Equal<string list>([ "16:9"; "1:1" ], sent)
    }

[<Fact>]
let ``quality and size mean what --quality and --size mean: on OpenAI's wire, on xAI a size maps and 1k or 2k is the resolution`` () =
    task {
        use home = new TestHome()
        use openAi = new LoopbackServer(Reply.routes [ ("POST", "/v1/images/generations"), answerAsked ])
        use xai = new LoopbackServer(Reply.routes [ ("POST", "/v1/images/generations"), answerAsked ])

        let env =
            [
                "OPENAI_API_KEY", "sk-test-abcdef123456"
                "OPENAI_BASE_URL", openAi.Url "/v1"
                "XAI_API_KEY", "xai-secret-key-0123456789"
                "XAI_BASE_URL", xai.Url "/v1"
            ]

        use! session = connect home env []

        let! result =
            session.Call("generate_image", [ "prompt", box "a fox"; "provider", box "openai"; "quality", box "high"; "size", box "1024x1536" ])

        expectSuccess result
        // without aspect_ratio the exact size picks the aspect, as on the CLI
        Assert.StartsWith("1 image with openai · gpt-image-2-medium (portrait):", Assert.Single(texts result))
        let body = JsonDocument.Parse((Assert.Single openAi.Requests).Body).RootElement
        Assert.Equal("gpt-image-2", body.GetProperty("model").GetString())
        Assert.Equal("high", body.GetProperty("quality").GetString())
        Assert.Equal("1024x1536", body.GetProperty("size").GetString())

        let! auto = session.Call("generate_image", [ "prompt", box "a fox"; "provider", box "openai"; "quality", box "auto"; "size", box "auto" ])
        expectSuccess auto
        let sent = JsonDocument.Parse((List.last openAi.Requests).Body).RootElement
        Assert.Equal("auto", sent.GetProperty("quality").GetString())
        Assert.Equal("auto", sent.GetProperty("size").GetString())

        let! mapped = session.Call("generate_image", [ "prompt", box "a fox"; "provider", box "xai"; "size", box "1024x1536" ])
        expectSuccess mapped
        Assert.Equal("2:3", jsonField (Assert.Single xai.Requests).Body "aspect_ratio")

        let! resolution = session.Call("generate_image", [ "prompt", box "a fox"; "provider", box "xai"; "size", box "2k" ])
        expectSuccess resolution
        Assert.Equal("2k", jsonField (List.last xai.Requests).Body "resolution")
        Assert.Equal(2, xai.Requests.Length)
    }

[<Fact>]
let ``a quality or size the provider does not take is the CLI's own error, and nothing is sent`` () =
    task {
        use home = new TestHome()
        use xai = new LoopbackServer(Reply.routes [ ("POST", "/v1/images/generations"), answerAsked ])
        use gemini = new LoopbackServer(Reply.json 500 "{}")

        let env =
            [
                "XAI_API_KEY", "xai-secret-key-0123456789"
                "XAI_BASE_URL", xai.Url "/v1"
                "GEMINI_API_KEY", "AIza-test-0123456789abcdef"
                "GEMINI_BASE_URL", gemini.BaseUrl
            ]

        use! session = connect home env []

        for provider, quality, size, cliFlags in
            [
                "xai", "high", null, [ "--quality"; "high" ]
                "gemini", "low", null, [ "--quality"; "low" ]
                "xai", "ultra", null, [ "--quality"; "ultra" ]
            ] do
            let! refused =
                session.Call(
                    "generate_image",
                    [ "prompt", box "a fox"; "provider", box provider; "quality", box quality; "size", box size ]
                )

            let message = expectToolError refused
            Assert.Contains(sprintf "'%s'" quality, message)
            let! cli = hermes home env ([ "generate"; "a fox"; "--provider"; provider ] @ cliFlags)
            Assert.Equal("hermes: " + message, oneLineError cli)

        let! onXai = session.Call("generate_image", [ "prompt", box "a fox"; "provider", box "xai"; "quality", box "high" ])

        Assert.Equal(
            "quality 'high' is not taken by xai; it is taken by openai and openai-codex (on xai choose the model grok-imagine-image-quality)",
            expectToolError onXai
        )

        let! huge = session.Call("generate_image", [ "prompt", box "a fox"; "provider", box "xai"; "size", box "huge" ])

        Assert.Equal(
            "invalid size 'huge': allowed values are auto, WxH such as 1024x1024, or xAI's resolution 1k or 2k",
            expectToolError huge
        )

        Assert.Empty(xai.Requests)
        Assert.Empty(gemini.Requests)
    }

[<Fact>]
let ``with a progress token, progress notifications arrive while FAL queues and generates`` () =
    task {
        use home = new TestHome()
        use fake = new FakeFal(pollsBeforeDone = 4)
        use! session = connect home (falEnv fake) []
        let seen = ConcurrentQueue<ProgressNotificationValue>()

        let progress =
            { new IProgress<ProgressNotificationValue> with
                member _.Report value = seen.Enqueue value
            }

        let! result = session.Call("generate_image", [ "prompt", box "a lighthouse" ], progress)
        expectSuccess result
        Assert.Single(home.CachedFiles()) |> ignore
        let messages () = seen |> Seq.map _.Message |> List.ofSeq
        do! eventually "queued, generating and downloading notifications" (fun () -> messages().Length >= 5)
        Assert.Contains(messages (), fun m -> m.StartsWith "queued: position ")
        Assert.Contains(messages (), fun m -> m.StartsWith "generating: ")
        Assert.Contains(messages (), fun m -> m.StartsWith "downloading: ")
        let counts = seen |> Seq.map _.Progress |> List.ofSeq |> List.sort
        Assert.Equal<float32 list>([ 1 .. counts.Length ] |> List.map float32, counts)
    }

[<Fact>]
let ``no progress token, no progress notifications`` () =
    task {
        use home = new TestHome()
        use fake = new FakeFal(pollsBeforeDone = 2)
        use! session = connect home (falEnv fake) []
        let notified = ref 0

        let registration =
            session.Client.RegisterNotificationHandler(
                NotificationMethods.ProgressNotification,
                fun _ _ ->
                    Interlocked.Increment(&notified.contents) |> ignore
                    ValueTask()
            )

        let! result = session.Call("generate_image", [ "prompt", box "a lighthouse" ])
        expectSuccess result
        do! Task.Delay 300
        do! registration.DisposeAsync()
        Assert.Equal(0, notified.Value)
    }

[<Fact>]
let ``cancelling a call cancels the FAL job through its cancel URL and caches nothing; the server keeps serving`` () =
    task {
        use home = new TestHome()
        use fake = new FakeFal(outcome = FalOutcome.Forever)
        use! session = connect home (falEnv fake) []
        use cancel = new CancellationTokenSource()

        let polled () =
            fake.Requests
            |> List.exists (fun r -> r.Method = "GET" && r.Path.EndsWith "/status")

        let call =
            session.Call("generate_image", [ "prompt", box "a lighthouse" ], ct = cancel.Token)

        do! eventually "the job was submitted and polled" polled
        cancel.Cancel()
        let! thrown = Assert.ThrowsAnyAsync<OperationCanceledException>(fun () -> call)
        Assert.NotNull thrown

        let cancelled () =
            fake.Requests
            |> List.exists (fun r -> r.Method = "PUT" && r.Path.EndsWith "/cancel")

        do! eventually "the fake saw PUT cancel_url" cancelled
        Assert.Equal("Key fal-test-key-123456", (fake.Requests |> List.find (fun r -> r.Method = "PUT")).Header("authorization").Value)
        Assert.Empty(home.CachedFiles())

        let! after = session.Call("list_providers", [])
        Assert.True((document after).GetProperty("providers").GetArrayLength() > 0)
    }

[<Fact>]
let ``a bad argument is a tool error with the CLI's one-line message, and the server keeps serving`` () =
    task {
        use home = new TestHome()
        use api = xaiApi 200
        use! session = connect home (xaiEnv api) []

        let! zero = session.Call("generate_image", [ "prompt", box "a fox"; "count", box 0 ])
        Assert.Equal("invalid count '0': allowed values are 1 to 16", expectToolError zero)

        let! typed = session.Call("generate_image", [ "prompt", box "a fox"; "count", box "three" ])
        Assert.Equal("invalid count \"three\" for generate_image: allowed values are an integer", expectToolError typed)

        let! missing = session.Call("generate_image", [ "count", box 1 ])
        Assert.Equal("missing argument 'prompt' for generate_image: give a string", expectToolError missing)

        let! provider = session.Call("generate_image", [ "prompt", box "a fox"; "provider", box "xia" ])
        let message = expectToolError provider
        Assert.EndsWith("did you mean 'xai'?", message)
        let! cli = hermes home (xaiEnv api) [ "generate"; "a fox"; "--provider"; "xia" ]
        Assert.Equal("hermes: " + message, oneLineError cli)

        let! size = session.Call("generate_image", [ "prompt", box "a fox"; "size", box "4k" ])
        Assert.Equal("invalid size '4k': allowed values are auto, WxH such as 1024x1024, or xAI's resolution 1k or 2k", expectToolError size)

        let! empty = session.Call("generate_image", [ "prompt", box "  " ])
        Assert.Equal("the prompt is empty: give a text prompt", expectToolError empty)

        Assert.Empty(api.Requests)
        Assert.Empty(home.CachedFiles())

        let! fine = session.Call("generate_image", [ "prompt", box "a fox" ])
        expectSuccess fine
        Assert.Single(home.CachedFiles()) |> ignore
    }

[<Fact>]
let ``a provider failure is a tool error with the provider's message`` () =
    task {
        use home = new TestHome()
        use api = xaiApi 429
        use! session = connect home (xaiEnv api) []
        let! limited = session.Call("generate_image", [ "prompt", box "a fox" ])
        Assert.Contains("Too many requests, slow down", expectToolError limited)
        Assert.Empty(home.CachedFiles())
    }

[<Fact>]
let ``an edit sends the source image to the provider's edit endpoint; a mask xAI cannot take is a tool error before anything is sent`` () =
    task {
        use home = new TestHome()
        use api = xaiApi 200
        use! session = connect home (xaiEnv api) []
        // Outside $HERMES_HOME: the read guard refuses sources there.
        use outside = new TestHome()
        let source = Path.Combine(outside.Path, "in.png")
        File.WriteAllBytes(source, png 100)

        let! masked = session.Call("generate_image", [ "prompt", box "make it blue"; "images", box [| source |]; "mask", box source ])
        Assert.Contains("mask", expectToolError masked)
        Assert.Empty(api.Requests |> List.filter (fun r -> r.Method = "POST"))

        let! edit = session.Call("generate_image", [ "prompt", box "make it blue"; "images", box [| source |] ])
        expectSuccess edit
        let post = api.Requests |> List.filter (fun r -> r.Method = "POST") |> Assert.Single
        Assert.Equal("/v1/images/edits", post.Path)
        Assert.Contains("data:image/png;base64,", post.Body)
        Assert.Equal(1, home.CachedFiles().Length)
    }

[<Fact>]
let ``list_models gives each provider's models and limits; an unknown provider is a tool error with did-you-mean`` () =
    task {
        use home = new TestHome()
        use! session = connect home [] []

        let! all = session.Call("list_models", [])
        let providers = (document all).GetProperty("providers")

        Assert.Equal<string list>(
            [ "fal"; "xai"; "openai"; "openai-codex"; "gemini" ],
            [ for p in providers.EnumerateArray() -> p.GetProperty("provider").GetString() ]
        )

        let! openai = session.Call("list_models", [ "provider", box "openai" ])

        let only =
            Assert.Single((document openai).GetProperty("providers").EnumerateArray() |> List.ofSeq)

        let strings (name: string) =
            [ for e in only.GetProperty(name).EnumerateArray() -> e.GetString() ]

        Assert.Equal("gpt-image-2-medium", only.GetProperty("default_model").GetString())

        Assert.Equal<string list>(
            [ "gpt-image-2-low"; "gpt-image-2-medium"; "gpt-image-2-high" ],
            [
                for m in only.GetProperty("models").EnumerateArray() -> m.GetProperty("id").GetString()
            ]
        )

        Assert.Equal<string list>([ "low"; "medium"; "high"; "auto" ], strings "qualities")
        Assert.Equal<string list>([ "landscape"; "square"; "portrait" ], strings "aspect_ratios")
        Assert.Equal<string list>([ "auto"; "WxH" ], strings "sizes")
        Assert.Equal(16, only.GetProperty("count").GetProperty("max").GetInt32())
        Assert.Equal("gpt-image-*", only.GetProperty("other_models").GetString())

        let! xai = session.Call("list_models", [ "provider", box "xai" ])

        let xaiRow =
            Assert.Single((document xai).GetProperty("providers").EnumerateArray() |> List.ofSeq)

        Assert.Equal<string list>([ "1k"; "2k"; "auto"; "WxH" ], [ for e in xaiRow.GetProperty("sizes").EnumerateArray() -> e.GetString() ])
        Assert.Equal(0, xaiRow.GetProperty("qualities").GetArrayLength())

        let model =
            only.GetProperty("models").EnumerateArray() |> Seq.find (fun m -> m.GetProperty("id").GetString() = "gpt-image-2-high")

        Assert.Equal(4, model.GetProperty("qualities").GetArrayLength())

        let! unknown = session.Call("list_models", [ "provider", box "opnai" ])
        Assert.EndsWith("did you mean 'openai'?", expectToolError unknown)
    }

[<Fact>]
let ``list_providers says which provider is available, the fix for the others, and what generate_image uses`` () =
    task {
        use home = new TestHome()
        use api = xaiApi 200
        use! session = connect home (xaiEnv api) []
        let! listed = session.Call("list_providers", [])
        let doc = document listed

        let rows =
            [
                for p in doc.GetProperty("providers").EnumerateArray() -> p.GetProperty("name").GetString(), p
            ]
            |> Map.ofList

        Assert.True(rows["xai"].GetProperty("available").GetBoolean())
        Assert.Equal(JsonValueKind.Null, rows["xai"].GetProperty("fix").ValueKind)
        Assert.False(rows["openai"].GetProperty("available").GetBoolean())
        Assert.Contains("OPENAI_API_KEY", rows["openai"].GetProperty("fix").GetString())
        Assert.Equal("xai · grok-imagine-image", doc.GetProperty("generate_image_uses").GetString())
    }

[<Fact>]
let ``stdout carries only JSON-RPC messages, and closing stdin ends the server with exit 0`` () =
    task {
        use home = new TestHome()
        use api = xaiApi 200

        let input =
            [
                """{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"test","version":"1"}}}"""
                """{"jsonrpc":"2.0","method":"notifications/initialized"}"""
                """{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"generate_image","arguments":{"prompt":"a fox","count":0}}}"""
                """{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"generate_image","arguments":{"prompt":"a fox"}}}"""
            ]

        use running = start home (xaiEnv api) [ "mcp" ]

        for line in input do
            do! running.Process.StandardInput.WriteLineAsync line

        // The answers come before stdin closes, so the calls are not cut short.
        let answers = ResizeArray<JsonElement>()

        while answers.Count < 3 do
            let! line = running.Process.StandardOutput.ReadLineAsync()
            Assert.NotNull line
            answers.Add(JsonDocument.Parse(line).RootElement.Clone())

        running.Process.StandardInput.Close()
        let! run = finish running
        Assert.Equal(0, run.Code)
        Assert.Equal("", run.Out.Trim())

        for answer in answers do
            Assert.Equal("2.0", answer.GetProperty("jsonrpc").GetString())

        let byId =
            answers |> Seq.map (fun a -> a.GetProperty("id").GetInt32(), a) |> Map.ofSeq

        Assert.Equal<int list>([ 1; 2; 3 ], byId |> Map.keys |> List.ofSeq)
        Assert.True(byId[2].GetProperty("result").GetProperty("isError").GetBoolean())
        Assert.False(byId[3].GetProperty("result").GetProperty("isError").GetBoolean())
    }

[<Fact>]
let ``generate_image takes the output controls: a control the provider does not take is a tool error and nothing is sent`` () =
    task {
        use home = new TestHome()
        use api = xaiApi 200
        use! session = connect home (xaiEnv api) []
        let! refused = session.Call("generate_image", [ "prompt", box "a fox"; "output_format", box "webp" ])
        Assert.Contains("output format 'webp' is not taken by xai", expectToolError refused)
        let! seeded = session.Call("generate_image", [ "prompt", box "a fox"; "seed", box 7 ])
        Assert.Contains("seed '7' is not taken by xai", expectToolError seeded)
        Assert.Empty(api.Requests)
    }
