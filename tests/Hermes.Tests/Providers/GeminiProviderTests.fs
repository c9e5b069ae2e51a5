module Hermes.Tests.Providers.GeminiProviderTests

open System
open System.Buffers
open System.Threading
open Xunit
open FsCheck
open FsCheck.FSharp
open FsCheck.Xunit
open Hermes.Domain
open Hermes.Providers.Core
open Hermes.Providers.Gemini
open Hermes.Tests.Support
open Hermes.Tests.Support.Fakes
open Hermes.Tests.Providers.EditProviderTests

let key = "AIza-test-0123456789abcdef"

let flash = "POST", "/v1beta/models/gemini-3.1-flash-image:generateContent"

/// A generateContent answer as the Gemini API shapes it: commentary text, then the image as inlineData, then usage.
let imageAnswer (bytes: byte[]) =
    sprintf
        """{"candidates":[{"content":{"role":"model","parts":[{"text":"Here is your synth."},{"inlineData":{"mimeType":"image/png","data":"%s"}}]},"finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":12,"candidatesTokenCount":1290,"totalTokenCount":1302,"promptTokensDetails":[{"modality":"TEXT","tokenCount":12}]},"modelVersion":"gemini-3.1-flash-image"}"""
        (Convert.ToBase64String bytes)

let errorAnswer (code: int) (status: string) (message: string) =
    sprintf """{"error":{"code":%d,"message":"%s","status":"%s"}}""" code message status

/// The string at a path of object keys.
let str (node: Text.Json.Nodes.JsonNode) (path: string list) =
    (path |> List.fold (fun (n: Text.Json.Nodes.JsonNode) (k: string) -> n[k]) node).GetValue<string>()

/// contents[0].parts of a request body.
let partsOf (body: Text.Json.Nodes.JsonNode) =
    let contents = body["contents"].AsArray()
    let first = contents[0]
    let parts = first["parts"].AsArray()
    List.ofSeq parts

let provider (home: TestHome) (server: LoopbackServer) (env: (string * string) list) =
    GeminiImageProvider(home.Context([ "GEMINI_BASE_URL", server.BaseUrl ] @ env))

let generate (p: GeminiImageProvider) (options: GenerateOptions) =
    p.GenerateAsync("a synth on a desk", AspectRatio.Landscape, options, CancellationToken.None)

[<Fact>]
let ``generation posts generateContent with TEXT and IMAGE, 16:9, and saves the inlineData image with its usage`` () =
    task {
        use home = new TestHome()
        let image = png 3000
        use s = new LoopbackServer(Reply.routes [ flash, Reply.json 200 (imageAnswer image) ])
        let! result = generate (provider home s [ "GEMINI_API_KEY", key ]) GenerateOptions.Default
        let ok = success result
        assertLocalFile home ok.Image image
        Assert.Equal("gemini", ok.Provider)
        Assert.Equal("gemini-3.1-flash-image", ok.Model)
        Assert.Equal<obj>("Here is your synth.", ok.Extras["model_text"])
        let usage = ok.Extras["usage"] :?> Collections.Generic.IReadOnlyDictionary<string, int64>
        Assert.Equal(12L, usage["input_tokens"])
        Assert.Equal(1290L, usage["output_tokens"])
        Assert.Equal(1302L, usage["total_tokens"])
        let request = Assert.Single(s.Requests)
        Assert.Equal("POST", request.Method)

        assertJson
            """{"contents":[{"role":"user","parts":[{"text":"a synth on a desk"}]}],"generationConfig":{"responseModalities":["TEXT","IMAGE"],"imageConfig":{"aspectRatio":"16:9","imageSize":"2K"}}}"""
            request.Body
    }

[<Fact>]
let ``the key travels in x-goog-api-key, never in the URL; GOOGLE_API_KEY is the fallback`` () =
    task {
        use home = new TestHome()
        use s = new LoopbackServer(Reply.routes [ flash, Reply.json 200 (imageAnswer (png 16)) ])
        let! first = generate (provider home s [ "GEMINI_API_KEY", key; "GOOGLE_API_KEY", "AIza-google-fallback-987" ]) GenerateOptions.Default
        let! second = generate (provider home s [ "GOOGLE_API_KEY", "AIza-google-fallback-987" ]) GenerateOptions.Default
        success first |> ignore
        success second |> ignore

        match s.Requests with
        | [ a; b ] ->
            Assert.Equal(Some key, a.Header "x-goog-api-key")
            Assert.Equal(Some "AIza-google-fallback-987", b.Header "x-goog-api-key")

            for r in [ a; b ] do
                Assert.True(r.Query.IsEmpty, sprintf "query sent: %A" r.Query)
                Assert.Equal(None, r.Header "authorization")
        | other -> failwithf "expected two requests, got %d" other.Length
    }

[<Fact>]
let ``an edit sends the source as an inlineData part after the text, with its media type`` () =
    task {
        use home = new TestHome()
        use dir = new SourceDir()
        use s = new LoopbackServer(Reply.routes [ flash, Reply.json 200 (imageAnswer (png 40)) ])

        let! result =
            generate (provider home s [ "GEMINI_API_KEY", key ]) (GenerateOptions(Sources = [ dir.Write("room.png", photo) ]))

        let ok = success result
        Assert.Equal<obj>(1, ok.Extras["source_count"])
        let request = Assert.Single s.Requests
        let parts = partsOf (json request.Body)
        Assert.Equal(2, parts.Length)
        Assert.Equal("a synth on a desk", str parts[0] [ "text" ])
        Assert.Equal("image/png", str parts[1] [ "inlineData"; "mimeType" ])
        Assert.Equal<byte[]>(photo, Convert.FromBase64String(str parts[1] [ "inlineData"; "data" ]))
    }

[<Fact>]
let ``a flash model takes at most 3 sources and no mask, refused before any request; pro takes more`` () =
    task {
        use home = new TestHome()
        use dir = new SourceDir()
        use s = new LoopbackServer(Reply.json 200 (imageAnswer (png 40)))
        let p = provider home s [ "GEMINI_API_KEY", key ]
        let four = List.replicate 4 (dir.Write("a.png", photo))
        let! tooMany = generate p (GenerateOptions(Sources = four))
        let! masked = generate p (GenerateOptions(Sources = [ dir.Write("a.png", photo) ], Mask = dir.Write("m.png", maskPng)))
        Assert.Equal("gemini model 'gemini-3.1-flash-image' takes at most 3 source images, got 4", (failure tooMany).Error.Message)
        Assert.Contains("takes no mask", (failure masked).Error.Message)
        Assert.Empty(s.Requests)
        let! pro = generate p (GenerateOptions(Model = "gemini-3-pro-image", Sources = four))
        Assert.Equal("gemini-3-pro-image", (success pro).Model)
        Assert.Equal("/v1beta/models/gemini-3-pro-image:generateContent", (Assert.Single s.Requests).Path)
    }

[<Theory>]
[<InlineData("IMAGE_SAFETY")>]
[<InlineData("SAFETY")>]
[<InlineData("PROHIBITED_CONTENT")>]
let ``a safety finish reason is content_policy with the model's text`` (reason: string) =
    task {
        use home = new TestHome()

        let answer =
            sprintf
                """{"candidates":[{"content":{"role":"model","parts":[{"text":"I can't create that image.\u001b[31m"}]},"finishReason":"%s"}]}"""
                reason

        use s = new LoopbackServer(Reply.json 200 answer)
        let! result = generate (provider home s [ "GEMINI_API_KEY", key ]) GenerateOptions.Default
        let bad = failure result
        Assert.Equal("content_policy", bad.ErrorType)
        Assert.Equal(sprintf "Google Gemini refused the request (%s): I can't create that image." reason, bad.Error.Message)
    }

[<Fact>]
let ``a blocked prompt (promptFeedback.blockReason, no candidates) is content_policy`` () =
    task {
        use home = new TestHome()
        use s = new LoopbackServer(Reply.json 200 """{"promptFeedback":{"blockReason":"PROHIBITED_CONTENT"}}""")
        let! result = generate (provider home s [ "GEMINI_API_KEY", key ]) GenerateOptions.Default
        Assert.Equal("content_policy", (failure result).ErrorType)
        Assert.Contains("PROHIBITED_CONTENT", (failure result).Error.Message)
    }

[<Fact>]
let ``text only is no_image with that text`` () =
    task {
        use home = new TestHome()

        use s =
            new LoopbackServer(
                Reply.json 200 """{"candidates":[{"content":{"parts":[{"text":"Which synth do you mean?"}]},"finishReason":"STOP"}]}"""
            )

        let! result = generate (provider home s [ "GEMINI_API_KEY", key ]) GenerateOptions.Default
        Assert.Equal("no_image", (failure result).ErrorType)
        Assert.Equal("Google Gemini returned no image, only text: Which synth do you mean?", (failure result).Error.Message)
    }

let private with429 : Reply =
    fun request ctx ->
        ctx.Response.Headers["Retry-After"] <- Microsoft.Extensions.Primitives.StringValues "0"
        Reply.json 429 (errorAnswer 429 "RESOURCE_EXHAUSTED" "Resource has been exhausted (e.g. check quota).") request ctx

[<Fact>]
let ``429 RESOURCE_EXHAUSTED is retried after Retry-After, and rate_limited when it persists`` () =
    task {
        use home = new TestHome()
        let image = png 64
        use retried = new LoopbackServer(Reply.sequence [ with429; Reply.json 200 (imageAnswer image) ])
        let! ok = generate (provider home retried [ "GEMINI_API_KEY", key ]) GenerateOptions.Default
        assertLocalFile home (success ok).Image image
        Assert.Equal(2, retried.Requests.Length)
        use persistent = new LoopbackServer(with429)
        let! result = generate (provider home persistent [ "GEMINI_API_KEY", key ]) GenerateOptions.Default
        let bad = failure result
        Assert.Equal("rate_limited", bad.ErrorType)
        Assert.Equal("Google Gemini returned HTTP 429: Resource has been exhausted (e.g. check quota).", bad.Error.Message)
        Assert.Equal(3, persistent.Requests.Length)
    }

[<Theory>]
[<InlineData(400, "INVALID_ARGUMENT", "invalid_request")>]
[<InlineData(403, "PERMISSION_DENIED", "auth")>]
[<InlineData(500, "INTERNAL", "provider_error")>]
let ``error bodies map by status, with Gemini's message and never the key`` (code: int, status: string, kind: string) =
    task {
        use home = new TestHome()
        use s = new LoopbackServer(Reply.json code (errorAnswer code status ("bad key " + key)))
        let! result = generate (provider home s [ "GEMINI_API_KEY", key ]) GenerateOptions.Default
        let bad = failure result
        Assert.Equal(kind, bad.ErrorType)
        Assert.DoesNotContain(key, bad.Error.Message)
        Assert.StartsWith(sprintf "Google Gemini returned HTTP %d: bad key " code, bad.Error.Message)
    }

[<Fact>]
let ``without a key the provider is unavailable and names GEMINI_API_KEY; nothing is sent`` () =
    task {
        use home = new TestHome()
        use s = new LoopbackServer(Reply.json 200 (imageAnswer (png 4)))
        let p = provider home s []

        match p.IsAvailable() with
        | Availability.Missing fix -> Assert.Contains("GEMINI_API_KEY", fix)
        | other -> failwithf "expected Missing, got %A" other

        let! result = generate p GenerateOptions.Default
        Assert.Equal("not_available", (failure result).ErrorType)
        Assert.Contains("GEMINI_API_KEY", (failure result).Error.Message)
        Assert.Empty(s.Requests)
        Assert.Equal(Availability.Ready, (provider home s [ "GOOGLE_API_KEY", key ]).IsAvailable())
    }

let private sourceGen =
    gen {
        let! mime = Gen.elements [ "image/png"; "image/jpeg"; "image/webp" ]
        let! bytes = Gen.arrayOf (Gen.choose (0, 255) |> Gen.map byte)
        return { MimeType = mime; Bytes = bytes }
    }

/// Every property name in a JSON tree, at any depth (values, such as the prompt, are not names).
let rec private propertyNames (node: Text.Json.Nodes.JsonNode) : string list =
    match node with
    | :? Text.Json.Nodes.JsonObject as o -> o |> Seq.collect (fun kv -> kv.Key :: (if isNull kv.Value then [] else propertyNames kv.Value)) |> List.ofSeq
    | :? Text.Json.Nodes.JsonArray as a -> a |> Seq.filter (isNull >> not) |> Seq.collect propertyNames |> List.ofSeq
    | _ -> []

[<Property(MaxTest = 100)>]
let ``the request body: the prompt first, every source after it in order, the aspect's ratio and TEXT+IMAGE`` () =
    let callGen =
        Gen.zip3 (Gen.elements (Catalog.modelIds Catalog.gemini)) (Gen.elements AspectRatio.all) (Gen.listOf sourceGen)

    Prop.forAll (Arb.fromGen (Gen.zip callGen (ArbMap.defaults |> ArbMap.generate<NonNull<string>>))) (fun ((model, aspect, sources), prompt) ->
        let body = GeminiRequests.body model prompt.Get aspect OutputControls.none sources
        let parsed = json (body.ToJsonString())
        let parts = partsOf parsed
        let contents = parsed["contents"].AsArray()
        let config = parsed["generationConfig"]

        let expectedRatio =
            match aspect with
            | AspectRatio.Landscape -> "16:9"
            | AspectRatio.Square -> "1:1"
            | AspectRatio.Portrait -> "9:16"

        str contents[0] [ "role" ] = "user"
        && parts.Length = 1 + List.length sources
        && str parts[0] [ "text" ] = prompt.Get
        && (sources
            |> List.mapi (fun i s ->
                str parts[i + 1] [ "inlineData"; "mimeType" ] = s.MimeType
                && Convert.FromBase64String(str parts[i + 1] [ "inlineData"; "data" ]) = s.Bytes)
            |> List.forall id)
        && config["responseModalities"].ToJsonString() = """["TEXT","IMAGE"]"""
        && str config [ "imageConfig"; "aspectRatio" ] = expectedRatio
        && List.contains (str config [ "imageConfig"; "imageSize" ]) [ "1K"; "2K"; "4K" ]
        && not (propertyNames parsed |> List.exists (fun name -> name.Contains("key", StringComparison.OrdinalIgnoreCase))))

[<Property(MaxTest = 100)>]
let ``the answer parser reads every inlineData image as the exact base64 slice, in order, and images win over a refusal`` () =
    let imagesGen =
        Gen.nonEmptyListOf (Gen.arrayOf (Gen.choose (0, 255) |> Gen.map byte) |> Gen.filter (fun b -> b.Length > 0))

    Prop.forAll (Arb.fromGen (Gen.zip imagesGen (Gen.elements [ "STOP"; "IMAGE_SAFETY"; "MAX_TOKENS" ]))) (fun (images, reason) ->
        let parts =
            images
            |> List.map (fun b -> sprintf """{"inlineData":{"mimeType":"image/png","data":"%s"}}""" (Convert.ToBase64String b))
            |> String.concat ","

        let body =
            sprintf """{"candidates":[{"content":{"parts":[{"text":"note"},%s]},"finishReason":"%s"}]}""" parts reason

        match GeminiAnswer.parse (ReadOnlySequence(Text.Encoding.UTF8.GetBytes body)) with
        | Ok answer ->
            let decoded =
                answer.Images
                |> List.map (fun i -> Convert.FromBase64String(Text.Encoding.ASCII.GetString(i.Base64.ToArray())))

            decoded = images
            && answer.Text = Some "note"
            && (match GeminiAnswer.verdict answer with
                | GeminiVerdict.Images _ -> true
                | _ -> false)
        | Error _ -> false)

[<Property(MaxTest = 100)>]
let ``without images: a safety reason is content_policy, other text no_image, nothing at all no_image`` () =
    Prop.forAll
        (Arb.fromGen (Gen.zip (Gen.elements [ "STOP"; "IMAGE_SAFETY"; "SAFETY"; "PROHIBITED_CONTENT"; "OTHER" ]) (Gen.elements [ None; Some "why" ])))
        (fun (reason, text) ->
            let answer =
                {
                    Images = []
                    Text = text
                    FinishReason = Some reason
                    BlockReason = None
                    Usage = Map.empty
                }

            let kind =
                GeminiAnswer.failure "Google Gemini" (GeminiAnswer.verdict answer) |> Option.map fst

            if GeminiAnswer.refusalReasons.Contains reason then
                kind = Some ErrorKind.ContentPolicy
            else
                kind = Some ErrorKind.NoImage)
