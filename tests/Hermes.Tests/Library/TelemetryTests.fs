module Hermes.Tests.Library.TelemetryTests

open System
open System.Collections.Concurrent
open System.Collections.Generic
open System.Diagnostics
open System.Diagnostics.Metrics
open System.Text.Json.Nodes
open System.Threading
open Xunit
open Hermes
open Hermes.Providers.Library
open Hermes.Tests.Support
open Hermes.Tests.Support.Fakes

type Measurement =
    {
        Instrument: string
        Unit: string
        Value: float
        Tags: Map<string, obj>
    }

let private tagsOf (tags: KeyValuePair<string, obj> seq) =
    tags |> Seq.map (fun kv -> kv.Key, kv.Value) |> Map.ofSeq

/// What the Hermes ActivitySource and Meter emit while it lives; tests run in parallel, so each reads only what names its own server's port.
type Collected() =
    let activities = ConcurrentQueue<Activity>()
    let measurements = ConcurrentQueue<Measurement>()

    let activityListener =
        new ActivityListener(
            ShouldListenTo = (fun source -> source.Name = HermesTelemetry.SourceName),
            Sample = (fun _ -> ActivitySamplingResult.AllDataAndRecorded),
            ActivityStopped = (fun activity -> activities.Enqueue activity)
        )

    let meterListener = new MeterListener()

    let record (instrument: Instrument) (value: float) (tags: KeyValuePair<string, obj> array) =
        measurements.Enqueue
            {
                Instrument = instrument.Name
                Unit = instrument.Unit
                Value = value
                Tags = tagsOf tags
            }

    do
        ActivitySource.AddActivityListener activityListener

        meterListener.InstrumentPublished <-
            fun instrument listener ->
                if instrument.Meter.Name = HermesTelemetry.SourceName then
                    listener.EnableMeasurementEvents instrument

        meterListener.SetMeasurementEventCallback<double>(fun instrument value tags _ -> record instrument value (tags.ToArray()))

        meterListener.SetMeasurementEventCallback<int64>(fun instrument value tags _ -> record instrument (float value) (tags.ToArray()))

        meterListener.Start()

    member _.Activities(port: int) =
        activities
        |> Seq.filter (fun a -> a.GetTagItem "server.port" = box port)
        |> List.ofSeq

    member _.Measurements(port: int) =
        measurements
        |> Seq.filter (fun m -> m.Tags.TryFind "server.port" = Some(box port))
        |> List.ofSeq

    interface IDisposable with
        member _.Dispose() =
            activityListener.Dispose()
            meterListener.Dispose()

let generations = "POST", "/v1/images/generations"

let openAi (home: TestHome) (server: LoopbackServer) (sensitive: bool) =
    HermesClient(
        home.Context
            [
                "OPENAI_API_KEY", "sk-test-abcdef123456"
                "OPENAI_BASE_URL", server.Url "/v1"
            ],
        EnableSensitiveData = sensitive
    )

let port (server: LoopbackServer) = Uri(server.BaseUrl).Port

let withUsage =
    sprintf
        """{"created":1,"data":[{"b64_json":"%s"}],"usage":{"input_tokens":50,"output_tokens":4160,"total_tokens":4210}}"""
        (Convert.ToBase64String(png 70))

let options = HermesGenerateOptions(Provider = "openai")

[<Fact>]
let ``one generate call is one client activity "generate_content {model}" carrying the gen_ai tags and the token counts`` () =
    task {
        use collected = new Collected()
        use home = new TestHome()
        use api = new LoopbackServer(Reply.routes [ generations, Reply.json 200 withUsage ])
        let! result = (openAi home api false).GenerateAsync("a synth on a desk", options, CancellationToken.None)
        Assert.True(result.IsSuccess, string result.Error)
        let activity = Assert.Single(collected.Activities(port api))
        Assert.Equal("generate_content gpt-image-2-medium", activity.DisplayName)
        Assert.Equal(ActivityKind.Client, activity.Kind)
        Assert.Equal(ActivityStatusCode.Unset, activity.Status)

        Assert.Equal<obj list>(
            [
                box "generate_content"
                "openai"
                "gpt-image-2-medium"
                "127.0.0.1"
                50L
                4160L
                null
            ],
            [
                "gen_ai.operation.name"
                "gen_ai.provider.name"
                "gen_ai.request.model"
                "server.address"
                "gen_ai.usage.input_tokens"
                "gen_ai.usage.output_tokens"
                "error.type"
            ]
            |> List.map activity.GetTagItem
        )
    }

[<Fact>]
let ``each call records gen_ai.client.operation.duration in seconds and gen_ai.client.token.usage by token type, with the activity's tags``
    ()
    =
    task {
        use collected = new Collected()
        use home = new TestHome()
        use api = new LoopbackServer(Reply.routes [ generations, Reply.json 200 withUsage ])
        let! _ = (openAi home api false).GenerateAsync("a synth on a desk", options, CancellationToken.None)
        let measurements = collected.Measurements(port api)

        let duration =
            Assert.Single(
                measurements
                |> List.filter (fun m -> m.Instrument = "gen_ai.client.operation.duration")
            )

        Assert.Equal("s", duration.Unit)
        Assert.InRange(duration.Value, 0.0, 60.0)

        Assert.Equal<Map<string, obj>>(
            Map
                [
                    "gen_ai.operation.name", box "generate_content"
                    "gen_ai.provider.name", box "openai"
                    "gen_ai.system", box "openai"
                    "gen_ai.request.model", box "gpt-image-2-medium"
                    "server.address", box "127.0.0.1"
                    "server.port", box (port api)
                ],
            duration.Tags
        )

        let tokens =
            measurements
            |> List.filter (fun m -> m.Instrument = "gen_ai.client.token.usage")
            |> List.map (fun m -> m.Tags["gen_ai.token.type"], m.Value, m.Unit)

        Assert.Equal<(obj * float * string) list>([ box "input", 50.0, "{token}"; box "output", 4160.0, "{token}" ], tokens)
    }

[<Fact>]
let ``a failed call puts the error's type in error.type on the activity and the duration, and marks the activity as an error`` () =
    task {
        use collected = new Collected()
        use home = new TestHome()

        use api =
            new LoopbackServer(Reply.routes [ generations, Reply.json 400 """{"error":{"message":"bad size"}}""" ])

        let! result = (openAi home api false).GenerateAsync("a synth on a desk", options, CancellationToken.None)
        Assert.False result.IsSuccess
        let activity = Assert.Single(collected.Activities(port api))
        Assert.Equal(box result.Error.ErrorType, activity.GetTagItem "error.type")
        Assert.Equal((ActivityStatusCode.Error, result.Error.Message), (activity.Status, activity.StatusDescription))

        let duration =
            collected.Measurements(port api)
            |> List.find (fun m -> m.Instrument = "gen_ai.client.operation.duration")

        Assert.Equal(Some(box result.Error.ErrorType), duration.Tags.TryFind "error.type")
    }

[<Theory>]
[<InlineData(true)>]
[<InlineData(false)>]
let ``the prompt is on the activity (gen_ai.input.messages) only when sensitive data is enabled`` (sensitive: bool) =
    task {
        use collected = new Collected()
        use home = new TestHome()
        use api = new LoopbackServer(Reply.routes [ generations, Reply.json 200 withUsage ])
        let prompt = "a private prompt 7f3a"
        let! _ = (openAi home api sensitive).GenerateAsync(prompt, options, CancellationToken.None)
        let activity = Assert.Single(collected.Activities(port api))

        let mentions =
            activity.TagObjects |> Seq.exists (fun kv -> (string kv.Value).Contains prompt)

        Assert.Equal(sensitive, mentions)

        if sensitive then
            let message =
                JsonNode.Parse(activity.GetTagItem "gen_ai.input.messages" :?> string).AsArray()
                |> Seq.exactlyOne

            Assert.Equal("user", textAt message [ "role" ])
            Assert.Equal(prompt, textAt (message.["parts"].AsArray() |> Seq.exactlyOne) [ "content" ])
    }
