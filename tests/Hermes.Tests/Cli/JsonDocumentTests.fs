/// `--json` prints exactly one JSON document on stdout for every outcome; its exit_code is the process's.
module Hermes.Tests.Cli.JsonDocumentTests

open System
open System.IO
open System.Threading.Tasks
open Xunit
open Hermes.Tests.Cli.HermesProcess
open Hermes.Tests.Support

/// Exit 6 (partial success) cannot come from today's library, which reports one error for the whole call;
/// GenerateResultTests prove its mapping.
[<Fact>]
let ``every exit code comes with exactly one JSON document`` () =
    task {
        use home = new TestHome()
        use ok = xaiApi 200
        use limited = xaiApi 429

        let unreachable =
            [
                "XAI_API_KEY", "k"
                "XAI_BASE_URL", sprintf "http://127.0.0.1:%d/v1" (closedPort ())
            ]

        let cases =
            [
                xaiEnv ok, [ "generate"; "a fox"; "--json" ], 0, None
                [], [ "providers"; "--json" ], 0, None
                [], [ "config"; "set"; "image_gen.provider"; "xai"; "--json" ], 0, None
                [], [ "auth"; "list"; "--json" ], 0, None
                [], [ "generate"; "-h"; "--json" ], 0, None
                [], [ "config"; "get"; "image_gen.model"; "--json" ], 1, Some "not_set"
                [], [ "generate"; "--json" ], 2, Some "usage"
                [], [ "generate"; "a fox"; "--count"; "abc"; "--json" ], 2, Some "usage"
                [], [ "generate"; "-x"; "a fox"; "--json" ], 2, Some "usage"
                [], [ "--json" ], 2, Some "usage"
                [ "XAI_API_KEY", "k"; "XAI_BASE_URL", "ht!tp://bad url" ], [ "generate"; "a fox"; "--json" ], 2, Some "invalid_argument"
                xaiEnv ok, [ "generate"; "a fox"; "--aspect"; "wide"; "--json" ], 2, Some "invalid_argument"
                [], [ "config"; "set"; "image_gen.provder"; "xai"; "--json" ], 2, Some "invalid_argument"
                [], [ "generate"; "a fox"; "--provider"; "openai"; "--json" ], 3, Some "not_available"
                xaiEnv limited, [ "generate"; "a fox"; "--json" ], 4, Some "rate_limited"
                unreachable, [ "generate"; "a fox"; "--json" ], 5, Some "network"
            ]

        for env, args, code, errorType in cases do
            let! run = hermes home env args
            Assert.True((code = run.Code), sprintf "%A exited %d, not %d: %s" args run.Code code run.Err)

            match errorType with
            | Some t -> expectErrorDocument t run |> ignore
            | None -> Assert.True((oneDocument run).ValueKind <> Text.Json.JsonValueKind.Undefined)

        home.WriteConfig "image_gen: [unclosed"

        for args in
            [
                [ "generate"; "a fox"; "--json" ]
                [ "config"; "set"; "image_gen.provider"; "xai"; "--json" ]
            ] do
            let! run = hermes home (xaiEnv ok) args
            Assert.Equal(5, run.Code)
            let doc = expectErrorDocument "config" run
            Assert.Contains(Path.Combine(home.Path, "config.yaml"), doc.GetProperty("error").GetString())
    }

/// Waits until the fake has seen its n-th request, so Ctrl-C lands while the call is in flight.
let private whenRequested (api: LoopbackServer) (n: int) =
    task {
        let deadline = DateTime.UtcNow.AddSeconds 30.0

        while api.Requests.Length < n && DateTime.UtcNow < deadline do
            do! Task.Delay 50

        Assert.Equal(n, api.Requests.Length)
    }

[<Fact>]
let ``Ctrl-C during a generation exits 130 with one line, or one JSON document with --json`` () =
    task {
        use home = new TestHome()

        use api =
            new LoopbackServer(Reply.delayed (TimeSpan.FromMinutes 1.0) (Reply.json 200 "{}"))

        for n, json in [ 1, false; 2, true ] do
            use running =
                start home (xaiEnv api) ([ "generate"; "a fox" ] @ (if json then [ "--json" ] else []))

            do! whenRequested api n
            interrupt running
            let! run = finish running
            Assert.Equal(130, run.Code)

            if json then
                let doc = expectErrorDocument "cancelled" run
                Assert.Equal("cancelled", doc.GetProperty("error").GetString())
            else
                Assert.Equal("hermes: cancelled", oneLineError run)
    }
