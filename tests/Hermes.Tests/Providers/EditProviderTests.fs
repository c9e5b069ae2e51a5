module Hermes.Tests.Providers.EditProviderTests

open System
open System.IO
open System.Text.Json.Nodes
open System.Threading
open Microsoft.AspNetCore.WebUtilities
open Microsoft.Net.Http.Headers
open Xunit
open Hermes.Domain
open Hermes.Providers.Codex
open Hermes.Providers.Core
open Hermes.Providers.Fal
open Hermes.Providers.OpenAi
open Hermes.Providers.Xai
open Hermes.Tests.Support
open Hermes.Tests.Support.Fakes
open Hermes.Tests.Domain.EditTests

/// A folder outside $HERMES_HOME for the files a user edits.
type SourceDir() =
    let root =
        Path.Combine(Path.GetTempPath(), "hermes-sources", Guid.NewGuid().ToString("N"))

    do Directory.CreateDirectory root |> ignore

    member _.Path = root

    member _.Write(name: string, bytes: byte[]) =
        let path = Path.Combine(root, name)
        Directory.CreateDirectory(Path.GetDirectoryName path) |> ignore
        File.WriteAllBytes(path, bytes)
        path

    interface IDisposable with
        member _.Dispose() =
            try
                Directory.Delete(root, true)
            with _ ->
                ()

/// One part of a multipart/form-data body as the server read it.
type SeenPart =
    {
        Name: string
        FileName: string option
        ContentType: string option
        Bytes: byte[]
    }

    member this.Text = Text.Encoding.UTF8.GetString this.Bytes

/// The parts of a multipart request, read with ASP.NET Core's own multipart reader.
let formParts (request: RecordedRequest) =
    let contentType = MediaTypeHeaderValue.Parse(Microsoft.Extensions.Primitives.StringSegment(request.Header "content-type" |> Option.get))
    Assert.Equal("multipart/form-data", contentType.MediaType.Value)
    let boundary = HeaderUtilities.RemoveQuotes(contentType.Boundary).Value
    let reader = MultipartReader(boundary, new MemoryStream(request.BodyBytes))

    let rec read acc =
        match reader.ReadNextSectionAsync().Result |> Option.ofObj with
        | None -> List.rev acc
        | Some section ->
            let disposition = ContentDispositionHeaderValue.Parse(Microsoft.Extensions.Primitives.StringSegment section.ContentDisposition)
            use buffer = new MemoryStream()
            section.Body.CopyTo buffer

            let part =
                {
                    Name = HeaderUtilities.RemoveQuotes(disposition.Name).Value
                    FileName =
                        if disposition.FileName.HasValue then
                            Some(HeaderUtilities.RemoveQuotes(disposition.FileName).Value)
                        else
                            None
                    ContentType = Option.ofObj section.ContentType
                    Bytes = buffer.ToArray()
                }

            read (part :: acc)

    read []

let photo = pngImage 64 48 2
let maskPng = pngImage 64 48 6
let dataUrl (mediaType: string) (bytes: byte[]) = sprintf "data:%s;base64,%s" mediaType (Convert.ToBase64String bytes)

let edits = "POST", "/v1/images/edits"

let openAi (home: TestHome) (server: LoopbackServer) (extra: (string * string) list) =
    OpenAiImageProvider(home.Context([ "OPENAI_API_KEY", "sk-test-abcdef123456"; "OPENAI_BASE_URL", server.Url "/v1" ] @ extra))

let xai (home: TestHome) (server: LoopbackServer) =
    XaiImageProvider(home.Context([ "XAI_API_KEY", "xai-test-key-123456"; "XAI_BASE_URL", server.Url "/v1" ]))

let editWith (provider: IImageGenProvider) (options: GenerateOptions) =
    provider.GenerateAsync("put a hat on it", AspectRatio.Landscape, options, CancellationToken.None)

// ---------------------------------------------------------------- OpenAI

[<Fact>]
let ``an OpenAI edit is one multipart POST to /images/edits with an image[] part per source, each with its own name and type, and the mask``
    ()
    =
    task {
        use home = new TestHome()
        use dir = new SourceDir()
        let reference = jpeg 900
        let output = png 3000

        use s =
            new LoopbackServer(
                Reply.routes [ edits, Reply.json 200 (b64Response output); ("GET", "/v1/src/ref.jpg"), Reply.bytes 200 "image/jpeg" reference ]
            )

        let room = dir.Write("room.png", photo)
        let mask = dir.Write("mask.png", maskPng)
        let inline' = jpeg 400

        let! result =
            editWith
                (openAi home s [])
                (GenerateOptions(Sources = [ room; dataUrl "image/jpeg" inline'; s.Url "/v1/src/ref.jpg" ], Mask = mask, InputFidelity = "high"))

        let ok = success result
        assertLocalFile home ok.Image output
        Assert.Equal<obj>(3, ok.Extras["source_count"])
        Assert.Equal<obj>("high", ok.Extras["input_fidelity"])
        let post = s.Requests |> List.filter (fun r -> r.Method = "POST") |> Assert.Single
        Assert.Equal("/v1/images/edits", post.Path)
        Assert.Equal(Some "Bearer sk-test-abcdef123456", post.Header "Authorization")
        let parts = formParts post

        Assert.Equal<string list>(
            [ "model"; "prompt"; "image[]"; "image[]"; "image[]"; "mask"; "size"; "quality"; "n"; "input_fidelity" ],
            parts |> List.map _.Name
        )

        let files = parts |> List.filter _.FileName.IsSome

        Assert.Equal<string list>([ "room.png"; "image-2.jpg"; "ref.jpg"; "mask.png" ], files |> List.map (fun p -> p.FileName.Value))

        Assert.Equal<string list>(
            [ "image/png"; "image/jpeg"; "image/jpeg"; "image/png" ],
            files |> List.map (fun p -> p.ContentType.Value)
        )

        Assert.Equal<byte[] list>([ photo; inline'; reference; maskPng ], files |> List.map _.Bytes)

        let field name =
            (parts |> List.find (fun p -> p.Name = name)).Text

        Assert.Equal("gpt-image-2", field "model")
        Assert.Equal("put a hat on it", field "prompt")
        Assert.Equal("1536x1024", field "size")
        Assert.Equal("medium", field "quality")
        Assert.Equal("1", field "n")
        Assert.Equal("high", field "input_fidelity")
        Assert.DoesNotContain(parts, fun p -> p.Name = "response_format")
    }

[<Fact>]
let ``a retried OpenAI edit sends the whole form again`` () =
    task {
        use home = new TestHome()
        use dir = new SourceDir()

        let busy: Reply =
            fun request ctx ->
                ctx.Response.Headers["Retry-After"] <- "0"
                Reply.json 503 """{"error":{"message":"busy"}}""" request ctx

        use s =
            new LoopbackServer(Reply.routes [ edits, Reply.sequence [ busy; Reply.json 200 (b64Response (png 100)) ] ])

        let! result = editWith (openAi home s []) (GenerateOptions(Sources = [ dir.Write("a.png", photo) ]))
        success result |> ignore
        Assert.Equal(2, s.Requests.Length)

        for request in s.Requests do
            let image = formParts request |> List.find (fun p -> p.Name = "image[]")
            Assert.Equal<byte[]>(photo, image.Bytes)
    }

/// Runs an edit that must be refused before any request, and returns the error.
let refusedBeforeAnyRequest (make: TestHome -> SourceDir -> LoopbackServer -> IImageGenProvider * GenerateOptions) =
    task {
        use home = new TestHome()
        use dir = new SourceDir()
        use s = new LoopbackServer(Reply.json 200 (b64Response (png 100)))
        let provider, options = make home dir s
        let! result = editWith provider options
        let error = expectErrorKind ErrorKind.InvalidArgument result
        Assert.Empty(s.Requests)
        return error.Message
    }

let openAiWith (options: SourceDir -> GenerateOptions) =
    fun home dir server -> (openAi home server [] :> IImageGenProvider), options dir

[<Fact>]
let ``more than 16 sources for OpenAI is refused before any request, naming the limit`` () =
    task {
        let! message = refusedBeforeAnyRequest (openAiWith (fun dir -> GenerateOptions(Sources = List.replicate 17 (dir.Write("a.png", photo)))))
        Assert.Equal("openai model 'gpt-image-2-medium' takes at most 16 source images, got 17", message)
    }

[<Fact>]
let ``a mask that is not a PNG is refused before any request`` () =
    task {
        let! message =
            refusedBeforeAnyRequest (
                openAiWith (fun dir -> GenerateOptions(Sources = [ dir.Write("a.png", photo) ], Mask = dir.Write("m.jpg", jpeg 100)))
            )

        Assert.StartsWith("invalid mask: it is a JPG image", message)
    }

[<Fact>]
let ``a mask without alpha is refused before any request`` () =
    task {
        let! message =
            refusedBeforeAnyRequest (
                openAiWith (fun dir -> GenerateOptions(Sources = [ dir.Write("a.png", photo) ], Mask = dir.Write("m.png", pngImage 64 48 2)))
            )

        Assert.Contains("the PNG has no alpha channel", message)
    }

[<Fact>]
let ``a mask of another size than the first image is refused before any request`` () =
    task {
        let! message =
            refusedBeforeAnyRequest (
                openAiWith (fun dir -> GenerateOptions(Sources = [ dir.Write("a.png", photo) ], Mask = dir.Write("m.png", pngImage 32 32 6)))
            )

        Assert.Equal(
            "invalid mask: it is 32x32 but the first source image is 64x48; a mask must be the same size as the first image",
            message
        )
    }

[<Fact>]
let ``a source that is an HTML page is refused before any request`` () =
    task {
        let html = Text.Encoding.UTF8.GetBytes "<!doctype html><html><body>hi</body></html>"

        let! message = refusedBeforeAnyRequest (openAiWith (fun dir -> GenerateOptions(Sources = [ dir.Write("page.png", html) ])))

        Assert.StartsWith("source image 1: '", message)
        Assert.EndsWith("page.png' is not an image (its first bytes are not PNG, JPEG, WebP or GIF)", message)
    }

[<Fact>]
let ``a source over 25 MiB is refused before any request, without reading it`` () =
    task {
        let! message =
            refusedBeforeAnyRequest (
                openAiWith (fun dir ->
                    let path = dir.Write("huge.png", photo)
                    use file = new FileStream(path, FileMode.Open)
                    file.SetLength(Limits.maxImageBytes + 1L)
                    GenerateOptions(Sources = [ path ]))
            )

        Assert.EndsWith("has 26214401 bytes, over the 25 MiB cap (26214400 bytes)", message)
    }

[<Fact>]
let ``$HERMES_HOME/auth.json is never read as a source, even when it holds image bytes`` () =
    task {
        let! message =
            refusedBeforeAnyRequest (fun home _ server ->
                File.WriteAllBytes(home.AuthPath, photo)
                (openAi home server [] :> IImageGenProvider), GenerateOptions(Sources = [ home.AuthPath ]))

        Assert.Contains("refusing to read", message)
        Assert.Contains("it is inside $HERMES_HOME", message)
    }

[<Fact>]
let ``a symlink into $HERMES_HOME is refused like the file it points to`` () =
    task {
        let! message =
            refusedBeforeAnyRequest (fun home dir server ->
                File.WriteAllBytes(home.AuthPath, photo)
                let link = Path.Combine(dir.Path, "innocent.png")
                File.CreateSymbolicLink(link, home.AuthPath) |> ignore
                (openAi home server [] :> IImageGenProvider), GenerateOptions(Sources = [ link ]))

        Assert.Contains("it is inside $HERMES_HOME", message)
    }

[<Fact>]
let ``the Codex credential store is never read as a source`` () =
    task {
        let! message =
            refusedBeforeAnyRequest (fun home dir server ->
                let codexHome = Path.Combine(dir.Path, "codex")
                let auth = dir.Write("codex/auth.json", photo)
                (openAi home server [ "CODEX_HOME", codexHome ] :> IImageGenProvider), GenerateOptions(Sources = [ auth ]))

        Assert.Contains("it is a credential store", message)
    }

[<Fact>]
let ``a source URL on 127.0.0.2 is refused before any connection or request`` () =
    task {
        let! message = refusedBeforeAnyRequest (openAiWith (fun _ -> GenerateOptions(Sources = [ "http://127.0.0.2:9/cat.png" ])))
        Assert.Equal("source image 1: refused the image URL: image URL 'http://127.0.0.2:9/cat.png' refused: host 127.0.0.2 is a loopback address", message)
    }

[<Fact>]
let ``a data URL that is not an image, and a file that does not exist, are refused before any request`` () =
    task {
        let! notImage =
            refusedBeforeAnyRequest (openAiWith (fun _ -> GenerateOptions(Sources = [ dataUrl "image/png" (Text.Encoding.UTF8.GetBytes "<svg/>") ])))

        Assert.Equal("source image 1: the answer is not an image (its first bytes are not PNG, JPEG, WebP or GIF)", notImage)

        let! missing =
            refusedBeforeAnyRequest (openAiWith (fun dir -> GenerateOptions(Sources = [ Path.Combine(dir.Path, "nope.png") ])))

        Assert.EndsWith("nope.png' does not exist or is not a file", missing)
    }

[<Fact>]
let ``an input fidelity other than high or low, or without a source, is refused before any request`` () =
    task {
        let! bad =
            refusedBeforeAnyRequest (openAiWith (fun dir -> GenerateOptions(Sources = [ dir.Write("a.png", photo) ], InputFidelity = "max")))

        Assert.Equal("invalid input fidelity 'max': allowed values are high, low", bad)
        let! alone = refusedBeforeAnyRequest (openAiWith (fun _ -> GenerateOptions(InputFidelity = "high")))
        Assert.Equal("input fidelity 'high' applies to edits only: give a source image", alone)
    }

[<Fact>]
let ``a source URL that serves HTML is fetched under the trust rules, refused, and no edit is sent`` () =
    task {
        use home = new TestHome()

        use s =
            new LoopbackServer(
                Reply.routes
                    [
                        edits, Reply.json 200 (b64Response (png 100))
                        ("GET", "/v1/page.png"), Reply.text 200 "image/png" "<html><body>not an image</body></html>"
                    ]
            )

        let! result = editWith (openAi home s []) (GenerateOptions(Sources = [ s.Url "/v1/page.png" ]))
        let error = expectErrorKind ErrorKind.InvalidArgument result
        Assert.Equal("source image 1: the answer is not an image (its first bytes are not PNG, JPEG, WebP or GIF)", error.Message)
        Assert.Equal<string list>([ "GET /v1/page.png" ], s.Requests |> List.map (fun r -> r.Method + " " + r.Path))
    }

// ---------------------------------------------------------------- xAI

[<Fact>]
let ``an xAI edit of one image is JSON to /images/edits with image {url, type}, the quality model, no aspect_ratio or resolution`` () =
    task {
        use home = new TestHome()
        let output = png 2000
        use s = new LoopbackServer(Reply.routes [ edits, Reply.json 200 (b64Response output) ])
        // A file Hermes cached earlier is a fine source: cache/images/ is the one readable place in $HERMES_HOME.
        Directory.CreateDirectory home.CacheDir |> ignore
        let cached = Path.Combine(home.CacheDir, "xai_earlier.png")
        File.WriteAllBytes(cached, photo)

        let! result = editWith (xai home s) (GenerateOptions(Sources = [ cached ]))
        let ok = success result
        assertLocalFile home ok.Image output
        Assert.Equal("grok-imagine-image-quality", ok.Model)
        Assert.Equal<obj>("grok-imagine-image", ok.Extras["requested_model"])
        Assert.Equal<obj>(1, ok.Extras["source_count"])
        // The live model list is asked which models take image input; only the edit itself is checked here.
        let post = s.Requests |> List.filter (fun r -> r.Path <> "/v1/image-generation-models") |> Assert.Single
        Assert.Equal("/v1/images/edits", post.Path)
        Assert.StartsWith("application/json", (post.Header "content-type").Value)

        assertJson
            (sprintf
                """{"model":"grok-imagine-image-quality","prompt":"put a hat on it","image":{"url":"%s","type":"image_url"}}"""
                (dataUrl "image/png" photo))
            post.Body
    }

[<Fact>]
let ``an xAI edit of three sources sends images [...]: local files as data URLs, http(s) URLs passed through after they were checked`` () =
    task {
        use home = new TestHome()
        use dir = new SourceDir()
        let reference = jpeg 700

        use s =
            new LoopbackServer(
                Reply.routes [ edits, Reply.json 200 (b64Response (png 100)); ("GET", "/v1/ref.jpg"), Reply.bytes 200 "image/jpeg" reference ]
            )

        let first = jpeg 300
        let third = pngImage 10 10 6

        let! result =
            editWith (xai home s) (GenerateOptions(Sources = [ dir.Write("first.jpg", first); s.Url "/v1/ref.jpg"; dataUrl "image/x-anything" third ]))

        Assert.Equal<obj>(3, (success result).Extras["source_count"])
        Assert.Equal<string list>(
            [ "GET /v1/ref.jpg"; "POST /v1/images/edits" ],
            s.Requests |> List.filter (fun r -> r.Path <> "/v1/image-generation-models") |> List.map (fun r -> r.Method + " " + r.Path)
        )
        let body = json (List.last s.Requests).Body
        Assert.Null(body["image"])
        Assert.Null(body["aspect_ratio"])

        Assert.Equal<string list>(
            [ dataUrl "image/jpeg" first; s.Url "/v1/ref.jpg"; dataUrl "image/png" third ],
            body["images"].AsArray() |> Seq.map (fun i -> textAt i [ "url" ]) |> List.ofSeq
        )

        Assert.All(body["images"].AsArray(), fun i -> Assert.Equal("image_url", textAt i [ "type" ]))
    }

[<Fact>]
let ``four sources or a mask for xAI are refused before any request, naming the limit`` () =
    task {
        let xaiWith options =
            fun home (dir: SourceDir) server -> (xai home server :> IImageGenProvider), options dir

        let! four = refusedBeforeAnyRequest (xaiWith (fun dir -> GenerateOptions(Sources = List.replicate 4 (dir.Write("a.png", photo)))))
        Assert.Equal("xai model 'grok-imagine-image' takes at most 3 source images, got 4", four)

        let! masked =
            refusedBeforeAnyRequest (xaiWith (fun dir -> GenerateOptions(Sources = [ dir.Write("a.png", photo) ], Mask = dir.Write("m.png", maskPng))))

        Assert.StartsWith("xai model 'grok-imagine-image' takes no mask", masked)
    }

// ---------------------------------------------------------------- Codex

[<Fact>]
let ``a Codex edit sends input_image parts after the input_text and the mask on the tool, in the same Responses call`` () =
    task {
        use home = new TestHome()
        use dir = new SourceDir()
        CodexProviderTests.signInCodex home (CodexProviderTests.freshToken ())
        let final = png 1500

        use s =
            new LoopbackServer(
                Reply.routes [ CodexProviderTests.responses, CodexProviderTests.stream (CodexProviderTests.imageEvents (png 10) final) false ]
            )

        let second = jpeg 50

        let! result =
            editWith
                (CodexImageProvider(home.Context [ "HERMES_CODEX_BASE_URL", s.Url "/backend-api/codex" ]))
                (GenerateOptions(Sources = [ dir.Write("a.png", photo); dataUrl "image/jpeg" second ], Mask = dir.Write("m.png", maskPng)))

        let ok = success result
        assertLocalFile home ok.Image final
        Assert.Equal<obj>(2, ok.Extras["input_image_count"])
        Assert.Equal<obj>(2, ok.Extras["source_count"])
        let body = json (Assert.Single s.Requests).Body
        let content = body["input"].[0].["content"].AsArray()
        Assert.Equal<string list>([ "input_text"; "input_image"; "input_image" ], content |> Seq.map (fun c -> textAt c [ "type" ]) |> List.ofSeq)
        Assert.Equal(dataUrl "image/png" photo, textAt content[1] [ "image_url" ])
        Assert.Equal(dataUrl "image/jpeg" second, textAt content[2] [ "image_url" ])
        let tool = body["tools"].[0]
        Assert.Equal(dataUrl "image/png" maskPng, textAt tool [ "input_image_mask"; "image_url" ])
        Assert.Equal(0, tool["partial_images"].GetValue<int>())
        Assert.Null(body["tool_choice"])
    }

// ---------------------------------------------------------------- FAL

let fal (home: TestHome) (fake: FakeFal) =
    FalImageProvider(home.Context([ "FAL_KEY", "fal-test-key-123456"; "FAL_QUEUE_BASE_URL", fake.BaseUrl ]), PollInterval = TimeSpan.FromMilliseconds 10.0)

[<Fact>]
let ``a FAL edit goes to the model's edit endpoint with image_urls: local files as data URIs, URLs as given`` () =
    task {
        use home = new TestHome()
        use dir = new SourceDir()
        use fake = new FakeFal()
        let url = fake.BaseUrl + "/files/out.png"

        let! result = editWith (fal home fake) (GenerateOptions(Sources = [ dir.Write("a.png", photo); url ], Seed = 7))
        let ok = success result
        assertLocalFile home ok.Image fake.Image
        Assert.Equal<obj>("fal-ai/flux-2/klein/9b/edit", ok.Extras["edit_endpoint"])
        Assert.Equal<obj>(2, ok.Extras["source_count"])
        let submit = Assert.Single fake.Submits
        Assert.Equal("/fal-ai/flux-2/klein/9b/edit", submit.Path)
        let body = json submit.Body
        Assert.Equal<string list>([ dataUrl "image/png" photo; url ], body["image_urls"].AsArray() |> Seq.map _.GetValue<string>() |> List.ofSeq)
        Assert.Null(body["image_size"])
        Assert.Equal(7, body["seed"].GetValue<int>())
        Assert.Equal("put a hat on it", textAt body [ "prompt" ])
    }

[<Fact>]
let ``a FAL gpt-image-2 edit takes the mask as mask_image_url on openai/gpt-image-2/edit`` () =
    task {
        use home = new TestHome()
        use dir = new SourceDir()
        use fake = new FakeFal()

        let! result =
            editWith
                (fal home fake)
                (GenerateOptions(Model = "fal-ai/gpt-image-2", Sources = [ dir.Write("a.png", photo) ], Mask = dir.Write("m.png", maskPng)))

        success result |> ignore
        let submit = Assert.Single fake.Submits
        Assert.Equal("/openai/gpt-image-2/edit", submit.Path)
        let body = json submit.Body
        Assert.Equal(dataUrl "image/png" maskPng, textAt body [ "mask_image_url" ])
        Assert.Equal(1, body["image_urls"].AsArray().Count)
    }

[<Fact>]
let ``a FAL model without an edit endpoint, or over its reference limit, is refused before any request`` () =
    task {
        use home = new TestHome()
        use dir = new SourceDir()
        use fake = new FakeFal()
        let a = dir.Write("a.png", photo)

        let! noEdit = editWith (fal home fake) (GenerateOptions(Model = "fal-ai/z-image/turbo", Sources = [ a ]))
        Assert.StartsWith("fal model 'fal-ai/z-image/turbo' cannot edit images", (expectErrorKind ErrorKind.InvalidArgument noEdit).Message)

        let! overLimit = editWith (fal home fake) (GenerateOptions(Model = "fal-ai/ideogram/v3", Sources = [ a; a ]))
        Assert.Equal("fal model 'fal-ai/ideogram/v3' takes at most 1 source image, got 2", (expectErrorKind ErrorKind.InvalidArgument overLimit).Message)
        Assert.Empty(fake.Requests)
    }
