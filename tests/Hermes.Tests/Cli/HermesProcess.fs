/// The built `hermes` run as a process with its own HERMES_HOME and only the environment a test gives it.
module Hermes.Tests.Cli.HermesProcess

open System
open System.Diagnostics
open System.IO
open System.Runtime.InteropServices
open System.Text.Json
open Xunit
open Hermes.Tests.Support
open Hermes.Tests.Support.Fakes

let configuration =
    let dir = DirectoryInfo(AppContext.BaseDirectory)
    dir.Parent.Name

let hermesDll =
    Path.Combine(Hermes.Tests.Domain.PurityTests.repoRoot, "src", "Hermes.Cli", "bin", configuration, "net10.0", "hermes.dll")

let dotnet =
    match Environment.GetEnvironmentVariable "DOTNET_HOST_PATH" with
    | null
    | "" -> "dotnet"
    | path -> path

type Run = { Code: int; Out: string; Err: string }

/// A started `hermes`; disposing it kills it if it is still running, so a failed test leaves no process behind.
type RunningHermes(proc: Process) =
    member _.Process = proc

    interface IDisposable with
        member _.Dispose() =
            try
                if not proc.HasExited then
                    proc.Kill true
            with :? InvalidOperationException ->
                ()

            proc.Dispose()

/// HERMES_TEST_BINARY runs the CLI tests against a published `hermes` (the NativeAOT build) instead of the built hermes.dll.
let publishedBinary =
    match Environment.GetEnvironmentVariable "HERMES_TEST_BINARY" with
    | null
    | "" -> None
    | path -> Some(Path.GetFullPath path)

/// The program and arguments that run `hermes ARGS`.
let command (args: string list) =
    match publishedBinary with
    | Some binary -> binary, args
    | None -> dotnet, "exec" :: hermesDll :: args

let start (home: TestHome) (env: (string * string) list) (args: string list) =
    let file, arguments = command args

    let info =
        ProcessStartInfo(
            file,
            arguments,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false
        )

    info.Environment.Clear()

    for k, v in
        [
            "PATH", Environment.GetEnvironmentVariable "PATH"
            "HOME", home.Path
            "HERMES_HOME", home.Path
            "DOTNET_NOLOGO", "1"
            "DOTNET_CLI_TELEMETRY_OPTOUT", "1"
        ]
        @ env do
        info.Environment[k] <- v

    new RunningHermes(Process.Start info)

let finish (running: RunningHermes) =
    let p = running.Process

    task {
        let! out = p.StandardOutput.ReadToEndAsync()
        let! err = p.StandardError.ReadToEndAsync()
        do! p.WaitForExitAsync()

        return
            {
                Code = p.ExitCode
                Out = out
                Err = err
            }
    }

/// Runs `hermes` with this text on its stdin.
let hermesWithInput (home: TestHome) (env: (string * string) list) (input: string) (args: string list) =
    task {
        use running = start home env args
        do! running.Process.StandardInput.WriteAsync input
        running.Process.StandardInput.Close()
        return! finish running
    }

let hermes (home: TestHome) (env: (string * string) list) (args: string list) = hermesWithInput home env "" args

[<DllImport("libc", SetLastError = true)>]
extern int private kill(int pid, int signal)

/// Whether this process ignores SIGINT (a shell without job control starts `cmd &` so); its children inherit that.
let private sigintIgnored () =
    IO.File.ReadAllLines "/proc/self/status"
    |> Array.tryFind (fun line -> line.StartsWith "SigIgn:")
    |> Option.map (fun line -> (Convert.ToUInt64(line.Substring(7).Trim(), 16) &&& 2UL) <> 0UL)
    |> Option.defaultValue false

/// Ctrl-C, as a terminal sends it.
let interrupt (running: RunningHermes) =
    Assert.False(
        sigintIgnored (),
        "this test process ignores SIGINT, and so does every hermes it starts (a background job of a shell without job control): run the suite in the foreground"
    )

    Assert.Equal(0, kill (running.Process.Id, 2))

let noAnsi (run: Run) =
    Assert.False(run.Out.Contains '\u001b', "ANSI escape on stdout")
    Assert.False(run.Err.Contains '\u001b', "ANSI escape on stderr")

let oneLineError (run: Run) =
    let lines = run.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries)
    Assert.Equal(1, lines.Length)
    Assert.StartsWith("hermes: ", lines[0])
    Assert.DoesNotContain("   at ", run.Err)
    lines[0]

/// Stdout is exactly one JSON document (JsonDocument refuses anything after the first value).
let oneDocument (run: Run) =
    try
        JsonDocument.Parse(run.Out).RootElement.Clone()
    with :? JsonException as e ->
        failwithf "stdout is not exactly one JSON document (%s):\n%s" e.Message run.Out

/// One unsuccessful document whose exit_code is the process's, with the error_type given.
let expectErrorDocument (errorType: string) (run: Run) =
    let doc = oneDocument run
    Assert.False(doc.GetProperty("success").GetBoolean())
    Assert.Equal(errorType, doc.GetProperty("error_type").GetString())
    Assert.Equal(run.Code, doc.GetProperty("exit_code").GetInt32())
    Assert.False(String.IsNullOrWhiteSpace(doc.GetProperty("error").GetString()))
    doc

/// A loopback xAI: as many distinct images as each request's n asks for, or every request refused with `status`.
let xaiApi (status: int) =
    new LoopbackServer(fun r c ->
        if status = 200 then
            answerAsked r c
        else
            Reply.json status """{"error":"Too many requests, slow down"}""" r c)

let xaiEnv (api: LoopbackServer) =
    [ "XAI_API_KEY", "xai-secret-key-0123456789"; "XAI_BASE_URL", api.Url "/v1" ]

/// A port nothing listens on.
let closedPort () =
    let listener = new Net.Sockets.TcpListener(Net.IPAddress.Loopback, 0)
    listener.Start()
    let port = (listener.LocalEndpoint :?> Net.IPEndPoint).Port
    listener.Stop()
    port
