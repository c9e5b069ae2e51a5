/// Fields of the wrong type in a provider's answer are typed results, never exceptions (issue 12).
module Hermes.Tests.Errors.AnswerShapeTests

open System
open System.Buffers
open System.Threading
open Xunit
open FsCheck
open FsCheck.Xunit
open Hermes.Domain
open Hermes.Providers.Core
open Hermes.Providers.Fal
open Hermes.Providers.OpenAi
open Hermes.Tests.Support
open Hermes.Tests.Support.Fakes

let private openAi (home: TestHome) (server: LoopbackServer) =
    OpenAiImageProvider(home.Context([ "OPENAI_API_KEY", "sk-test-abcdef123456"; "OPENAI_BASE_URL", server.Url "/v1" ]))

[<Property(MaxTest = 500)>]
let ``the images answer parser is total over any bytes`` (bytes: byte[]) =
    match ImagesAnswer.parse (ReadOnlySequence(bytes)) with
    | Ok _
    | Error _ -> true

[<Property(MaxTest = 300)>]
let ``the images answer parser is total over any JSON document`` (json: string) =
    let text = Text.Json.JsonSerializer.Serialize json

    [ text; sprintf """{"data":%s}""" text; sprintf """{"data":[{"b64_json":%s,"revised_prompt":%s}],"usage":%s}""" text text text ]
    |> List.forall (fun body ->
        match ImagesAnswer.parse (ReadOnlySequence(Text.Encoding.UTF8.GetBytes body)) with
        | Ok _
        | Error _ -> true)

[<Fact>]
let ``a revised_prompt that is an object is ignored and the image is still saved`` () =
    task {
        use home = new TestHome()
        let image = png 500

        let body =
            sprintf
                """{"created":1,"data":[{"b64_json":"%s","revised_prompt":{"text":"x"}}],"usage":{"input_tokens":"many","output_tokens":12}}"""
                (Convert.ToBase64String image)

        use server = new LoopbackServer(Reply.json 200 body)
        let! result = (openAi home server).GenerateAsync("a fox", AspectRatio.Square, GenerateOptions.Default, CancellationToken.None)
        let ok = success result
        assertLocalFile home ok.Image image
        Assert.False(ok.Extras.ContainsKey "revised_prompt")
        let usage = ok.Extras["usage"] :?> Collections.Generic.IDictionary<string, int64>
        Assert.Equal<string list>([ "output_tokens" ], List.ofSeq usage.Keys)
        Assert.Equal(12L, usage["output_tokens"])
    }

[<Fact>]
let ``data that is not an array is no_image, not a crash`` () =
    task {
        use home = new TestHome()
        use server = new LoopbackServer(Reply.json 200 """{"data":"nope"}""")
        let! result = (openAi home server).GenerateAsync("a fox", AspectRatio.Square, GenerateOptions.Default, CancellationToken.None)
        Assert.Equal("no_image", (failure result).ErrorType)
    }

[<Fact>]
let ``a FAL request_id that is a number is invalid_response, not a crash`` () =
    task {
        use home = new TestHome()
        use server = new LoopbackServer(Reply.json 200 """{"request_id":12345,"status_url":7}""")

        let p =
            FalImageProvider(home.Context([ "FAL_KEY", "fal-test-key-123456"; "FAL_QUEUE_BASE_URL", server.BaseUrl ]))

        let! result = p.GenerateAsync("a fox", AspectRatio.Square, GenerateOptions.Default, CancellationToken.None)
        Assert.Equal("invalid_response", (failure result).ErrorType)
        Assert.Contains("request_id", (failure result).Error.Message)
        Assert.Equal(1, server.Requests.Length)
    }
