/// `hermes generate` output controls (--size, --aspect W:H, --quality, --format, --compression, --background, --moderation, --seed), run as a process.
module Hermes.Tests.Cli.OutputControlsCliTests

open Xunit
open Hermes.Tests.Cli.HermesProcess
open Hermes.Tests.Support
open Hermes.Tests.Support.Fakes

let private openAiEnv (api: LoopbackServer) =
    [ "OPENAI_API_KEY", "sk-test-abcdef123456"; "OPENAI_BASE_URL", api.Url "/v1" ]

[<Fact>]
let ``generate puts --size, --quality, --format, --compression, --background and --moderation on OpenAI's body`` () =
    task {
        use home = new TestHome()
        use api = new LoopbackServer(Reply.json 200 (b64Response (png 64)))

        let! run =
            hermes
                home
                (openAiEnv api)
                [
                    "generate"
                    "a synth"
                    "--provider"
                    "openai"
                    "--size"
                    "2048x1152"
                    "--quality"
                    "high"
                    "--format"
                    "webp"
                    "--compression"
                    "80"
                    "--background"
                    "opaque"
                    "--moderation"
                    "low"
                    "--json"
                ]

        Assert.Equal(0, run.Code)
        let doc = oneDocument run
        Assert.Equal("2048x1152", doc.GetProperty("extras").GetProperty("size").GetString())
        Assert.Equal("landscape", doc.GetProperty("aspect_ratio").GetString())

        assertJson
            """{"model":"gpt-image-2","prompt":"a synth","size":"2048x1152","n":1,"quality":"high","output_format":"webp","output_compression":80,"background":"opaque","moderation":"low"}"""
            (Assert.Single api.Requests).Body
    }

[<Fact>]
let ``generate --size on xAI sends the nearest ratio and resolution and reports the size asked for; --aspect takes W:H`` () =
    task {
        use home = new TestHome()
        use api = xaiApi 200
        let! sized = hermes home (xaiEnv api) [ "generate"; "a fox"; "--size"; "1920x1080"; "--json" ]
        Assert.Equal(0, sized.Code)
        let extras = (oneDocument sized).GetProperty("extras")
        Assert.Equal("1920x1080", extras.GetProperty("requested_size").GetString())
        Assert.Equal("16:9", extras.GetProperty("aspect_ratio").GetString())
        Assert.Equal("2k", extras.GetProperty("resolution").GetString())

        let! ratio = hermes home (xaiEnv api) [ "generate"; "a fox"; "--aspect"; "9:19.5"; "--json" ]
        Assert.Equal(0, ratio.Code)
        Assert.Equal("9:19.5", (oneDocument ratio).GetProperty("aspect_ratio").GetString())
        let bodies = api.Requests |> List.map (fun r -> jsonField r.Body "aspect_ratio")
        Assert.Equal<string list>([ "16:9"; "9:19.5" ], bodies)
    }

/// Flags each provider refuses, with the start of the one-line error.
let private refusals =
    [
        "openai", [ "--size"; "1000x1000" ], "invalid size '1000x1000': size width and height must be multiples of 16"
        "openai", [ "--seed"; "5" ], "seed '5' is not taken by openai; it is taken by fal"
        "openai", [ "--compression"; "50" ], "compression '50' needs output format jpeg or webp"
        "openai", [ "--compression"; "101"; "--format"; "jpeg" ], "invalid compression '101': allowed values are 0 to 100"
        "openai", [ "--background"; "transparent"; "--format"; "jpeg" ], "background 'transparent' needs output format png or webp"
        "openai", [ "--format"; "gif" ], "invalid output format 'gif': allowed values are png, jpeg, webp"
        "openai", [ "--aspect"; "wide" ], "invalid aspect ratio 'wide': allowed values are landscape, square, portrait, auto, or a ratio W:H"
        "xai", [ "--quality"; "high" ], "quality 'high' is not taken by xai; it is taken by openai and openai-codex (on xai choose the model grok-imagine-image-quality)"
        "xai", [ "--aspect"; "5:4" ], "invalid aspect ratio '5:4' for xai: allowed values are 1:1, 16:9"
        "xai", [ "--moderation"; "low" ], "moderation 'low' is not taken by xai"
    ]

[<Fact>]
let ``a control the provider does not take, or a bad value, exits 2 with one line naming it, before any request`` () =
    task {
        use openAiApi = new LoopbackServer(Reply.json 200 (b64Response (png 64)))
        use xai = xaiApi 200

        for provider, flags, expected in refusals do
            use home = new TestHome()
            let env = if provider = "xai" then xaiEnv xai else openAiEnv openAiApi
            let! run = hermes home env ([ "generate"; "a synth"; "--provider"; provider ] @ flags)
            Assert.True((2 = run.Code), sprintf "%A exited %d: %s" flags run.Code run.Err)
            let line = oneLineError run
            Assert.True(line.StartsWith("hermes: " + expected), sprintf "%A: %s" flags line)

        Assert.Empty(openAiApi.Requests)
        Assert.Empty(xai.Requests)
    }

[<Fact>]
let ``generate --dry-run previews the controls on the body, and refuses one the provider does not take`` () =
    task {
        use home = new TestHome()
        use api = xaiApi 200
        let! run = hermes home (xaiEnv api) [ "generate"; "a fox"; "--size"; "1920x1080"; "--dry-run"; "--json" ]
        Assert.Equal(0, run.Code)
        let body = (oneDocument run).GetProperty("request").GetProperty("body")
        Assert.Equal("16:9", body.GetProperty("aspect_ratio").GetString())
        Assert.Equal("2k", body.GetProperty("resolution").GetString())

        let! refused = hermes home (xaiEnv api) [ "generate"; "a fox"; "--seed"; "3"; "--dry-run" ]
        Assert.Equal(2, refused.Code)
        Assert.StartsWith("hermes: seed '3' is not taken by xai", oneLineError refused)
        Assert.Empty(api.Requests)
    }
