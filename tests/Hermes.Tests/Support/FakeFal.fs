namespace Hermes.Tests.Support

open System
open System.Collections.Concurrent
open System.Threading
open System.Threading.Tasks
open Microsoft.AspNetCore.Http

/// How a fake FAL request ends.
[<RequireQualifiedAccess>]
type FalOutcome =
    | Images
    /// The model's safety checker flagged the image (has_nsfw_concepts: [true]).
    | Flagged
    /// The checker's flag with no image left in the answer (images: [], has_nsfw_concepts: [true]).
    | FlaggedWithoutImages
    /// A null entry first, then out.png flagged and out-2.png clean: flags pair with places, not with objects.
    | FlagAfterNullEntry
    | FailedResult
    | ErrorStatus
    | Forever

/// A loopback stand-in for FAL's queue API (and the Nous gateway, which speaks the same shape).
type FakeFal(?pollsBeforeDone: int, ?outcome: FalOutcome, ?upscalerFails: bool, ?submitStatus: int, ?hostileStatusUrl: bool) =
    let pollsBeforeDone = defaultArg pollsBeforeDone 0
    let outcome = defaultArg outcome FalOutcome.Images
    let upscalerFails = defaultArg upscalerFails false
    let submitStatus = defaultArg submitStatus 200
    let hostile = defaultArg hostileStatusUrl false
    let polls = ConcurrentDictionary<string, int ref>()
    let models = ConcurrentDictionary<string, string>()
    /// num_images of each submitted request: the answer carries that many images.
    let asked = ConcurrentDictionary<string, int>()
    let mutable baseUrl = ""

    let image = Fakes.png 3000
    let upscaled = Fakes.png 9000

    let handler (request: RecordedRequest) (ctx: HttpContext) : Task =
        let path = request.Path

        if request.Method = "POST" then
            if submitStatus <> 200 then
                Reply.json submitStatus """{"detail":"Invalid key"}""" request ctx
            else
                let model = path.TrimStart('/')
                let id = Guid.NewGuid().ToString("N")
                models[id] <- model
                polls[id] <- ref 0

                asked[id] <-
                    try
                        match (Text.Json.Nodes.JsonNode.Parse request.Body)["num_images"] with
                        | null -> 1
                        | n -> n.GetValue<int>()
                    with _ ->
                        1

                let statusBase = if hostile then "http://127.0.0.2:1" else baseUrl

                Reply.json
                    200
                    (sprintf
                        """{"request_id":"%s","response_url":"%s/q/requests/%s","status_url":"%s/q/requests/%s/status","cancel_url":"%s/q/requests/%s/cancel","queue_position":2}"""
                        id
                        baseUrl
                        id
                        statusBase
                        id
                        baseUrl
                        id)
                    request
                    ctx
        elif path.StartsWith "/q/requests/" && path.EndsWith "/status" then
            let id = path.Split('/')[3]
            let n = polls[id]
            let count = Interlocked.Increment(&n.contents)
            let upscaler = models[id] = "fal-ai/clarity-upscaler"

            if outcome = FalOutcome.Forever && not upscaler then
                Reply.json 202 """{"status":"IN_QUEUE","queue_position":5}""" request ctx
            elif count <= pollsBeforeDone then
                let position = pollsBeforeDone - count

                if count * 2 <= pollsBeforeDone then
                    Reply.json 202 (sprintf """{"status":"IN_QUEUE","queue_position":%d}""" position) request ctx
                else
                    Reply.json 202 """{"status":"IN_PROGRESS","logs":[]}""" request ctx
            elif outcome = FalOutcome.ErrorStatus && not upscaler then
                Reply.json 200 """{"status":"COMPLETED","error":"the model crashed"}""" request ctx
            else
                Reply.json 200 """{"status":"COMPLETED"}""" request ctx
        elif path.StartsWith "/q/requests/" then
            let id = path.Split('/')[3]

            match models[id] with
            | "fal-ai/clarity-upscaler" when upscalerFails -> Reply.json 500 """{"detail":"upscaler down"}""" request ctx
            | "fal-ai/clarity-upscaler" ->
                Reply.json 200 (sprintf """{"image":{"url":"%s/files/up.png","width":3072,"height":2048}}""" baseUrl) request ctx
            | _ when outcome = FalOutcome.FlaggedWithoutImages ->
                Reply.json 200 """{"images":[],"seed":42,"has_nsfw_concepts":[true]}""" request ctx
            | _ when outcome = FalOutcome.FlagAfterNullEntry ->
                Reply.json
                    200
                    (sprintf
                        """{"images":[null,{"url":"%s/files/out.png"},{"url":"%s/files/out-2.png"}],"has_nsfw_concepts":[false,true,false]}"""
                        baseUrl
                        baseUrl)
                    request
                    ctx
            | _ when outcome = FalOutcome.FailedResult ->
                Reply.json 422 """{"detail":[{"loc":["body","prompt"],"msg":"prompt is too long"}]}""" request ctx
            | _ ->
                let images = max 1 asked[id]

                let entries =
                    [
                        for k in 1..images ->
                            sprintf
                                """{"url":"%s/files/%s","width":1536,"height":1024,"content_type":"image/png"}"""
                                baseUrl
                                (if k = 1 then "out.png" else sprintf "out-%d.png" k)
                    ]
                    |> String.concat ","

                let flags =
                    [ for _ in 1..images -> sprintf "%b" (outcome = FalOutcome.Flagged) ]
                    |> String.concat ","

                Reply.json 200 (sprintf """{"images":[%s],"seed":42,"has_nsfw_concepts":[%s]}""" entries flags) request ctx
        elif
            path = "/files/out.png"
            || (path.StartsWith "/files/out-" && path.EndsWith ".png")
        then
            Reply.bytes 200 "image/png" image request ctx
        elif path = "/files/up.png" then
            Reply.bytes 200 "image/png" upscaled request ctx
        else
            Reply.json 404 """{"detail":"Not Found"}""" request ctx

    let server = new LoopbackServer(handler)
    do baseUrl <- server.BaseUrl

    member _.BaseUrl = baseUrl
    member _.Requests = server.Requests
    member _.Submits = server.Requests |> List.filter (fun r -> r.Method = "POST")
    member _.Image = image
    member _.Upscaled = upscaled

    interface IDisposable with
        member _.Dispose() = (server :> IDisposable).Dispose()
