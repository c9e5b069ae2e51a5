/// `dotnet fsi build.fsx bench`: start-up, URL → cache throughput and memory, concurrency, dispatch cost and peak memory
/// under hostile answers, side by side with curl and python as ratios from one run (medians; nothing here is asserted).
module Hermes.Bench.Program

open System
open System.Collections.Generic
open System.Diagnostics
open System.IO
open System.Net
open System.Threading
open System.Threading.Tasks
open Microsoft.AspNetCore.Builder
open Microsoft.AspNetCore.Hosting
open Microsoft.AspNetCore.Http
open Microsoft.Extensions.Logging
open Hermes.Domain
open Hermes
open Hermes.Providers.Cache
open Hermes.Providers.Config
open Hermes.Providers.Core
open Hermes.Providers.Library

let median (values: float list) =
    let sorted = List.sort values
    sorted[sorted.Length / 2]

let mib = 1024 * 1024

/// A 50 MB b64_json: what a hostile or broken provider may send; Hermes must refuse it without holding it.
let hugeB64Chars = 50_000_000

/// The answers of the memory section: /memory/<case>/v1/images/generations.
let hostileAnswer (images: Dictionary<int, byte[]>) (baseUrl: string) (case: string) (ctx: HttpContext) : Task =
    task {
        ctx.Response.ContentType <- "application/json"

        match case with
        | "b64-chunked"
        | "b64-announced" ->
            let head =
                Text.Encoding.ASCII.GetBytes """{"created":1,"data":[{"b64_json":"iVBORw0KGgo"""

            let tail = Text.Encoding.ASCII.GetBytes "\"}]}"

            if case = "b64-announced" then
                ctx.Response.ContentLength <- Nullable(int64 (head.Length + hugeB64Chars + tail.Length))

            let filler = Array.create mib (byte 'A')

            try
                do! ctx.Response.Body.WriteAsync(head, 0, head.Length, ctx.RequestAborted)

                for offset in 0..mib .. hugeB64Chars - 1 do
                    do! ctx.Response.Body.WriteAsync(filler, 0, min mib (hugeB64Chars - offset), ctx.RequestAborted)

                do! ctx.Response.Body.WriteAsync(tail, 0, tail.Length, ctx.RequestAborted)
            with _ ->
                () // Hermes hangs up as soon as it knows the answer is too large.
        | "b64-24" -> do! ctx.Response.WriteAsync(sprintf """{"data":[{"b64_json":"%s"}]}""" (Convert.ToBase64String images[24]))
        | size -> do! ctx.Response.WriteAsync(sprintf """{"data":[{"url":"%s/img/%s"}]}""" baseUrl size)
    }

/// A loopback server: /img/<n> serves n MiB, /v1/images/generations answers after 200 ms with a 2 MiB image URL,
/// /memory/<case>/v1/images/generations answers at once with a hostile or a large answer,
/// /fast/v1/images/generations answers at once with a 1 MiB image URL.
let startServer () =
    let images = Dictionary<int, byte[]>()

    for size in [ 0; 1; 2; 5; 20; 24 ] do
        // /img/0 is a 2 KB image: the same calls without the bulk of the bytes.
        let bytes = Array.zeroCreate<byte> (if size = 0 then 2048 else size * mib)
        Random(size).NextBytes bytes
        // A PNG signature: the cache keeps only bytes whose magic number is an image.
        Array.blit [| 0x89uy; 0x50uy; 0x4Euy; 0x47uy; 0x0Duy; 0x0Auy; 0x1Auy; 0x0Auy |] 0 bytes 0 8
        images[size] <- bytes

    let builder = WebApplication.CreateSlimBuilder()
    builder.WebHost.UseKestrel(fun o -> o.Listen(IPAddress.Loopback, 0)) |> ignore
    builder.Logging.ClearProviders() |> ignore
    let app = builder.Build()
    let mutable baseUrl = ""

    app.Run(fun ctx ->
        task {
            let path = ctx.Request.Path.Value

            if path.StartsWith "/img/" then
                let bytes = images[int (path.Substring 5)]
                ctx.Response.ContentType <- "image/png"
                ctx.Response.ContentLength <- Nullable(int64 bytes.Length)
                do! ctx.Response.Body.WriteAsync(bytes, 0, bytes.Length)
            elif path.StartsWith "/memory/" then
                do! hostileAnswer images baseUrl (path.Split('/')[2]) ctx
            elif path.StartsWith "/fast/" then
                // The generate section: an xAI answer at once, the URL of a 1 MiB image.
                ctx.Response.ContentType <- "application/json"
                do! ctx.Response.WriteAsync(baseUrl |> sprintf """{"data":[{"url":"%s/img/1"}]}""")
            else
                do! Task.Delay 200
                ctx.Response.ContentType <- "application/json"
                let image = if path.StartsWith "/small/" then 0 else 2
                do! ctx.Response.WriteAsync(sprintf """{"data":[{"url":"%s/img/%d"}]}""" baseUrl image)
        }
        :> Task)

    app.StartAsync().Wait()
    baseUrl <- Seq.head app.Urls
    app, baseUrl

let tempHome () =
    let dir =
        Path.Combine(Path.GetTempPath(), "hermes-bench", Guid.NewGuid().ToString("N"))

    Directory.CreateDirectory dir |> ignore
    dir

/// A cache that trusts the fake image server the way a configured base URL is trusted.
let newCache (home: string) (imageServer: string) =
    let trusted = Hermes.Providers.Http.TrustedOrigins.Of [ imageServer ]

    ImageCache(
        ImageCache.DirectoryIn home,
        Hermes.Providers.Http.GuardedHttp.CreateClient trusted,
        trusted,
        TimeProvider.System,
        Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance
    )

/// Child-process mode: one download, then this process's peak working set.
let download (url: string) =
    let home = tempHome ()

    let result =
        (newCache home url).SaveUrlAsync(url, "bench", CancellationToken.None).Result

    if result.IsLeft then
        failwithf "download failed: %A" result.Case

    printfn "%d" (Process.GetCurrentProcess().PeakWorkingSet64)
    Directory.Delete(home, true)
    0

/// Child-process mode: one xAI generation against this base URL, then this process's peak working set and the outcome.
let generateOnce (apiBase: string) =
    let home = tempHome ()

    let env =
        HermesEnvironment.Of(
            [
                KeyValuePair("HERMES_HOME", home)
                KeyValuePair("XAI_API_KEY", "bench")
                KeyValuePair("XAI_BASE_URL", apiBase)
            ]
        )

    let result =
        HermesClient(HermesContext(env, HermesConfig.Empty))
            .GenerateAsync("bench", HermesGenerateOptions(Provider = "xai"), CancellationToken.None)
            .Result

    let outcome =
        if result.IsSuccess then
            sprintf "saved %d bytes" (FileInfo(result.Image).Length)
        else
            result.Error.ErrorType + ": " + result.Error.Message

    printfn "%d %s" (Process.GetCurrentProcess().PeakWorkingSet64) outcome
    Directory.Delete(home, true)
    0

let time (action: unit -> unit) =
    let clock = Stopwatch.StartNew()
    action ()
    clock.Elapsed.TotalMilliseconds

let runProcess (file: string) (args: string list) (env: (string * string) list) =
    let info =
        ProcessStartInfo(file, args, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false)

    for k, v in env do
        info.Environment[k] <- v

    use p = Process.Start info
    let out = p.StandardOutput.ReadToEndAsync()
    let err = p.StandardError.ReadToEndAsync()
    p.WaitForExit()
    p.ExitCode, out.Result + (if p.ExitCode = 0 then "" else err.Result)

let exists (tool: string) =
    try
        fst (runProcess tool [ "--version" ] []) = 0
    with _ ->
        false

let row (cells: string list) = "| " + String.Join(" | ", cells) + " |"

/// `dotnet publish src/Hermes.Cli -c Release` into artifacts/bench/<name> (no properties: the shipped build), once per run.
let publishHermes =
    let published = Dictionary<string, Result<string, string>>()

    fun (root: string) (name: string) (properties: string list) ->
        match published.TryGetValue name with
        | true, done' -> done'
        | _ ->
            let dir = Path.Combine(root, "artifacts", "bench", name)

            if Directory.Exists dir then
                Directory.Delete(dir, true)

            let code, output =
                runProcess
                    "dotnet"
                    ([
                        "publish"
                        Path.Combine(root, "src", "Hermes.Cli")
                        "-c"
                        "Release"
                        "-o"
                        dir
                     ]
                     @ properties)
                    []

            let outcome =
                if code = 0 then
                    Ok(Path.Combine(dir, "hermes"))
                else
                    Error(
                        output.Split('\n')
                        |> Array.filter (fun l -> l.Contains "error")
                        |> Array.truncate 3
                        |> String.concat " "
                    )

            published[name] <- outcome
            outcome

/// The builds the start-up section compares: the shipped one (NativeAOT), ReadyToRun, and plain JIT.
let builds =
    [
        "shipped: NativeAOT (`dotnet publish -c Release`)", "shipped", []
        "ReadyToRun (`-p:PublishAot=false -p:PublishReadyToRun=true`)",
        "r2r",
        [ "-p:PublishAot=false"; "-p:PublishReadyToRun=true"; "-p:SelfContained=false" ]
        "JIT only",
        "jit",
        [
            "-p:PublishAot=false"
            "-p:PublishReadyToRun=false"
            "-p:SelfContained=false"
        ]
    ]

/// Runs the competitors in turn, `rounds` times, so a busy phase of the shared machine slows them all alike;
/// each competitor's wall times (ms) of its successful runs and its failure count.
let alternate (rounds: int) (competitors: (unit -> bool) list) =
    let times = competitors |> List.map (fun _ -> List<float>())
    let failures = Array.zeroCreate (List.length competitors)

    for _ in 1..rounds do
        competitors
        |> List.iteri (fun i run ->
            let mutable ok = false
            let ms = time (fun () -> ok <- run ())

            if ok then
                times[i].Add ms
            else
                failures[i] <- failures[i] + 1)

    List.zip (times |> List.map List.ofSeq) (List.ofArray failures)

let medianCell (times: float list, failures: int) =
    let shown =
        if times.IsEmpty then
            "all failed"
        else
            sprintf "%.0f" (median times)

    if failures = 0 then
        shown
    else
        sprintf "%s (%d failed)" shown failures

/// What the start-up table does not show: what ships and what it took.
let startupNotes =
    [
        "- **Shipped build: NativeAOT.** `dotnet publish src/Hermes.Cli -c Release` compiles `hermes` ahead of time for the machine's runtime identifier (the SDK infers it; `dotnet fsi build.fsx publish` puts it in artifacts/publish/<rid>, `RID=` for another platform). It needs the platform linker (gcc or clang) that NativeAOT always needs. The `hermes` dotnet tool package stays IL: one package for every platform. `build.fsx test` publishes the native binary and runs every CLI and MCP process test against it."
        "- **What made NativeAOT work with the design card's packages.** (1) F# emits union properties without `specialname` accessors, and ILC keeps a property's custom attributes only through such an accessor, so FSharp.Core saw every union case as fieldless and Argu could not build its parser; `build/PropertyAccessors.fsx` marks them on publish (one flag bit per accessor, tested). (2) `sprintf` with `%d`/`%g` builds printf specialisations by `MakeGenericMethod`, which has no native code: formatting is interpolated strings, and a test keeps value-type printf specifiers out of the CLI and the domain. (3) `Aot.rd.xml` keeps the generic instantiations Argu makes at run time (`Existential<int>`, `Existential<float>`, `Tuple<string,string>`). (4) hermes, FSharp.Core and Argu are rooted for reflection; CLI output uses Utf8JsonWriter, auth JSON no reflection, and the MCP tools are found through `typeof<HermesTools>`."
        "- **Warnings left, all in packages** (suppressed by id in Hermes.Cli.fsproj, each covered by the native test run): IL2104/IL3053 summarise FSharp.Core's reflection and printf, Argu's PreCompute, LanguageExt's ClassInstances, Flurl's CollectionToKV and System.Configuration; IL3000 is Argu's app.config reader (`Assembly.Location`), which hermes never calls. Hermes's own code has none."
        "- **ReadyToRun and JIT rows** are the same sources published without NativeAOT, for comparison; the tool package runs as the JIT row does."
    ]

let startup (root: string) (lines: List<string>) =
    let home = tempHome ()

    let commands =
        [
            [ "--version" ]
            [ "--help" ]
            [ "providers"; "--json" ]
            [ "models"; "--json" ]
        ]

    let published =
        builds
        |> List.map (fun (label, name, properties) -> label, publishHermes root name properties)

    lines.Add "## 1. CLI start-up (median of 15 alternated runs, ms; goal ≤ 60 ms for --help, providers, models)"
    lines.Add ""

    lines.Add(
        row (
            "build"
            :: (commands |> List.map (fun c -> sprintf "`hermes %s`" (String.Join(" ", c))))
        )
    )

    lines.Add(row ("---" :: (commands |> List.map (fun _ -> "---:"))))

    let ready =
        [
            for label, outcome in published do
                match outcome with
                | Ok hermes -> yield label, hermes, []
                | Error _ -> ()
        ]

    let columns =
        commands
        |> List.map (fun args ->
            let runOnce hermes env () =
                fst (runProcess hermes args (("HERMES_HOME", home) :: env)) = 0

            ready |> List.iter (fun (_, hermes, env) -> runOnce hermes env () |> ignore)
            alternate 15 (ready |> List.map (fun (_, hermes, env) -> runOnce hermes env)))

    ready
    |> List.iteri (fun i (label, _, _) -> lines.Add(row (label :: (columns |> List.map (fun c -> medianCell c[i])))))

    for label, outcome in published do
        match outcome with
        | Error why -> lines.Add(row (label :: ("publish failed: " + why) :: (commands.Tail |> List.map (fun _ -> ""))))
        | Ok _ -> ()

    if exists "python3" then
        let floor =
            alternate
                15
                [
                    fun () -> fst (runProcess "python3" [ "-c"; "import requests" ] []) = 0
                ]

        lines.Add(
            row (
                "`python3 -c \"import requests\"` (the floor of a Python CLI)"
                :: medianCell floor.Head
                :: [ ""; ""; "" ]
            )
        )

    lines.Add ""
    lines.Add "Measured with `dotnet fsi build.fsx bench startup` (it publishes the three builds into artifacts/bench first)."
    lines.Add ""

    for note in startupNotes do
        lines.Add note

    lines.Add ""
    Directory.Delete(home, true)

/// `hermes generate --json` (the shipped build) against bench/baseline_generate.py (Python `requests`), alternated:
/// the same POST to the fake xAI, the same 1 MiB image downloaded and written to disk; a failed run is counted.
let generateVsPython (root: string) (baseUrl: string) (lines: List<string>) =
    lines.Add "## 6. `hermes generate --json` against a Python `requests` client (median of 21 alternated runs; goal ≤ 0.5×)"
    lines.Add ""
    let apiBase = baseUrl + "/fast/v1"
    let home = tempHome ()
    let pythonOut = tempHome ()
    let script = Path.Combine(root, "bench", "baseline_generate.py")

    let hermesRun hermes () =
        let code, output =
            runProcess
                hermes
                [ "generate"; "--provider"; "xai"; "--json"; "bench" ]
                [ "HERMES_HOME", home; "XAI_API_KEY", "bench"; "XAI_BASE_URL", apiBase ]

        code = 0
        && (let document = Text.Json.Nodes.JsonNode.Parse output

            document["success"].GetValue<bool>()
            && FileInfo(document["image"].GetValue<string>()).Length = int64 mib)

    let pythonRun () =
        fst (runProcess "python3" [ script; apiBase; pythonOut ] [ "XAI_API_KEY", "bench" ]) = 0

    match publishHermes root "shipped" [] with
    | Error why -> lines.Add("The shipped build did not publish: " + why)
    | Ok hermes ->
        let competitors = [ hermesRun hermes; pythonRun ]
        competitors |> List.iter (fun run -> run () |> ignore)

        match alternate 21 competitors with
        | [ hermesTimes, _ as h; pythonTimes, _ as p ] ->
            lines.Add(row [ "client"; "median ms"; "failed runs" ])
            lines.Add(row [ "---"; "---:"; "---:" ])

            lines.Add(
                row
                    [
                        "`hermes generate --provider xai --json bench` (shipped build)"
                        medianCell h
                        string (snd h)
                    ]
            )

            lines.Add(
                row
                    [
                        "`python3 bench/baseline_generate.py` (`requests`)"
                        medianCell p
                        string (snd p)
                    ]
            )

            lines.Add ""

            if not hermesTimes.IsEmpty && not pythonTimes.IsEmpty then
                lines.Add(sprintf "Hermes / Python: **%.2f×** (goal ≤ 0.50×)." (median hermesTimes / median pythonTimes))
                lines.Add ""
        | _ -> ()

    lines.Add
        "Both POST the xAI request to a fake on 127.0.0.1 (a separate process) that answers at once with the URL of a 1 MiB PNG, download it, check its magic number and write it to disk; Hermes also writes its provenance sidecar and history. The Python client uses only what is installed here (`requests`; PyPI is not reachable from this machine). Measured with `dotnet fsi build.fsx bench generate`."

    lines.Add ""
    Directory.Delete(home, true)
    Directory.Delete(pythonOut, true)

let cacheThroughput (baseUrl: string) (self: string) (lines: List<string>) =
    lines.Add "## 2. URL → cache (median of 5 downloads)"
    lines.Add ""

    lines.Add(
        row
            [
                "size"
                "Hermes in-process MB/s"
                "Hermes new process MB/s"
                "curl -o MB/s"
                "in-process / curl"
                "new process / curl"
                "Hermes peak working set MB"
            ]
    )

    lines.Add(row [ "---"; "---:"; "---:"; "---:"; "---:"; "---:"; "---:" ])
    let home = tempHome ()
    let cache = newCache home baseUrl
    let hasCurl = exists "curl"
    let peaks = Dictionary<int, float>()

    for size in [ 1; 5; 24 ] do
        let url = sprintf "%s/img/%d" baseUrl size
        cache.SaveUrlAsync(url, "warm", CancellationToken.None).Result |> ignore

        let download () =
            cache.SaveUrlAsync(url, "bench", CancellationToken.None).Result |> ignore

        let hermesMs = median [ for _ in 1..5 -> time download ]
        let target = Path.Combine(home, "curl.bin")

        let curlMs =
            if hasCurl then
                Some(
                    median
                        [
                            for _ in 1..5 -> time (fun () -> runProcess "curl" [ "-s"; "-o"; target; url ] [] |> ignore)
                        ]
                )
            else
                None

        // A fresh `Hermes.Bench download` process: start-up included like curl's, and its own peak working set.
        let children =
            [
                for _ in 1..5 ->
                    let mutable output = ""

                    let wall =
                        time (fun () -> output <- snd (runProcess "dotnet" [ self; "download"; url ] []))

                    wall, float (int64 (output.Trim())) / float mib
            ]

        let processMs = median (List.map fst children)
        let peak = median (List.map snd children)
        peaks[size] <- peak
        let rate ms = float size / (ms / 1000.0)

        let ratio (ms: float) =
            curlMs
            |> Option.map (fun c -> sprintf "%.2f×" (c / ms))
            |> Option.defaultValue ""

        lines.Add(
            row
                [
                    sprintf "%d MB" size
                    sprintf "%.0f" (rate hermesMs)
                    sprintf "%.0f" (rate processMs)
                    (curlMs |> Option.map (rate >> sprintf "%.0f") |> Option.defaultValue "no curl")
                    ratio hermesMs
                    ratio processMs
                    sprintf "%.1f" peak
                ]
        )

    lines.Add ""

    lines.Add(
        sprintf
            "Peak working set growth from 1 MB to 24 MB: %.1f MB (goal: flat, < 8 MB). \"New process\" and curl include process start-up; \"in-process\" is a warm client, as a long-running app sees it."
            (peaks[24] - peaks[1])
    )

    lines.Add ""

    // The disk's own write throughput into the same folder, alternated with Hermes' in-process 24 MiB download.
    let folder = ImageCache.DirectoryIn home
    let url = baseUrl + "/img/24"
    let mutable ddRun = 0

    // dd writes a new file each run, as every save does: overwriting one file would drop its dirty pages each time
    // while the cache's files pile up in the page cache, and the two would not write under the same conditions.
    let ddNewFile () =
        ddRun <- ddRun + 1
        let target = Path.Combine(folder, sprintf "dd-%d.bin" ddRun)
        fst (runProcess "dd" [ "if=/dev/zero"; "of=" + target; "bs=1M"; "count=24" ] []) = 0

    let ddOverwrite () =
        fst (runProcess "dd" [ "if=/dev/zero"; "of=" + Path.Combine(folder, "dd.bin"); "bs=1M"; "count=24" ] []) = 0

    // The network's own floor: a plain HttpClient reading the same 24 MiB into Stream.Null, no file and no checks.
    use plain = new Net.Http.HttpClient()

    let networkOnly () =
        use response =
            plain.GetAsync(url, Net.Http.HttpCompletionOption.ResponseHeadersRead).Result

        use body = response.Content.ReadAsStream()
        body.CopyTo(Stream.Null, mib)
        response.IsSuccessStatusCode

    match
        alternate
            9
            [
                (fun () -> cache.SaveUrlAsync(url, "bench", CancellationToken.None).Result.IsRight)
                ddNewFile
                ddOverwrite
                networkOnly
            ]
    with
    | [ hermes, _ as h; dd, _ as d; over, _ as o; net, _ as n ] when
        not hermes.IsEmpty && not dd.IsEmpty && not over.IsEmpty && not net.IsEmpty
        ->
        let rate ms = 24.0 / (ms / 1000.0)

        lines.Add(
            $"24 MiB URL → cache in-process: %.0f{rate (median hermes)} MB/s ({medianCell h} ms); `dd if=/dev/zero of=<cache>/dd-N.bin bs=1M count=24` (a new file each run, as each save is) in the same folder: %.0f{rate (median dd)} MB/s ({medianCell d} ms, a process start included); Hermes / disk: **%.2f{median dd / median hermes}×** (goal ≥ 0.8×). The same dd overwriting one file each run, as an earlier bench did: %.0f{rate (median over)} MB/s ({medianCell o} ms; Hermes / that: %.2f{median over / median hermes}×; truncating the old file is part of its cost). Neither syncs to the device: both measure what a save costs the caller. The network alone, a plain HttpClient reading the same 24 MiB from the fake (another process) into Stream.Null: %.0f{rate (median net)} MB/s ({medianCell n} ms), so the loopback transfer by itself is %.2f{median dd / median net}× the disk's speed: a download cannot reach 0.8× of a write that needs no network. Median of 9 alternated runs, `dotnet fsi build.fsx bench cache`."
        )
    | results -> lines.Add(sprintf "24 MiB against dd: a side failed every run (%A)." (List.map snd results))

    lines.Add ""
    Directory.Delete(home, true)

let concurrency (baseUrl: string) (lines: List<string>) =
    lines.Add "## 3. Concurrent generations (fake xAI answering in 200 ms with a URL image; median of 5)"
    lines.Add ""

    lines.Add(
        row
            [
                "generations"
                "2 MB image: wall ms"
                "images/s"
                "wall / one"
                "2 KB image: wall ms"
                "wall / one"
            ]
    )

    lines.Add(row [ "---:"; "---:"; "---:"; "---:"; "---:"; "---:" ])
    let home = tempHome ()

    let clientFor (apiBase: string) =
        let env =
            HermesEnvironment.Of(
                [
                    KeyValuePair("HERMES_HOME", home)
                    KeyValuePair("XAI_API_KEY", "bench")
                    KeyValuePair("XAI_BASE_URL", apiBase)
                ]
            )

        HermesClient(HermesContext(env, HermesConfig.Empty))

    let generate (client: HermesClient) n =
        Task.WhenAll
            [
                for _ in 1..n -> client.GenerateAsync("bench", HermesGenerateOptions(Provider = "xai"), CancellationToken.None)
            ]
        |> fun t ->
            t.Result
            |> Array.iter (fun r ->
                if not r.IsSuccess then
                    failwith r.Error.Message)

    let measure (client: HermesClient) =
        generate client 4
        let single = median [ for _ in 1..5 -> time (fun () -> generate client 1) ]

        [
            for n in [ 1; 4; 16; 64 ] ->
                n,
                (if n = 1 then
                     single
                 else
                     median [ for _ in 1..5 -> time (fun () -> generate client n) ]),
                single
        ]

    let large = measure (clientFor (baseUrl + "/v1"))
    let small = measure (clientFor (baseUrl + "/small/v1"))

    for (n, wall, single), (_, smallWall, smallSingle) in List.zip large small do
        lines.Add(
            row
                [
                    string n
                    sprintf "%.0f" wall
                    sprintf "%.1f" (float n / (wall / 1000.0))
                    sprintf "%.2f×" (wall / single)
                    sprintf "%.0f" smallWall
                    sprintf "%.2f×" (smallWall / smallSingle)
                ]
        )

    lines.Add ""

    lines.Add
        "The 2 KB column is the same calls without the bytes: what is left of the 2 MB column's growth is 128 MB moving through loopback and disk, with the fake server on the same cores."

    lines.Add ""
    Directory.Delete(home, true)

let nanoseconds (iterations: int) (action: unit -> unit) =
    for _ in 1..10_000 do
        action ()

    median
        [
            for _ in 1..5 ->
                time (fun () ->
                    for _ in 1..iterations do
                        action ())
                * 1_000_000.0
                / float iterations
        ]

let dispatchCost (lines: List<string>) =
    lines.Add "## 4. Dispatch and payload building (Stopwatch loop after warm-up, median of 5, ns per call)"
    lines.Add ""
    lines.Add(row [ "operation"; "ns" ])
    lines.Add(row [ "---"; "---:" ])

    let candidates =
        Catalog.bundled
        |> List.map (fun c ->
            {
                Catalog = c
                Availability =
                    if c.Provider = "xai" then
                        Availability.Ready
                    else
                        Availability.Missing ""
            })

    let facts =
        {
            FalKey = false
            Gateway = false
            Env = Map.empty
            Providers = candidates
            ExplicitOnly = []
        }

    let settings =
        { Dispatch.emptySettings with
            Model = Some "grok-imagine-image"
        }

    let pro = (FalCatalog.tryModel "fal-ai/flux-2-pro").Value

    lines.Add(
        row
            [
                "Dispatch.decide (unset provider, auto-pick)"
                sprintf "%.0f" (nanoseconds 200_000 (fun () -> Dispatch.decide settings None facts |> ignore))
            ]
    )

    lines.Add(
        row
            [
                "Dispatch.decide (explicit openai)"
                sprintf
                    "%.0f"
                    (nanoseconds 200_000 (fun () ->
                        Dispatch.decide
                            { settings with
                                Provider = Some "openai"
                            }
                            None
                            facts
                        |> ignore))
            ]
    )

    lines.Add(
        row
            [
                "Requests.openAi + serialize"
                sprintf
                    "%.0f"
                    (nanoseconds 200_000 (fun () ->
                        (Requests.openAi (OpenAiModel.Tier Tier.High) "a fox" AspectRatio.Square OutputControls.none).ToJsonString()
                        |> ignore))
            ]
    )

    lines.Add(
        row
            [
                "FalPayload.build flux-2-pro + serialize"
                sprintf
                    "%.0f"
                    (nanoseconds 200_000 (fun () ->
                        (FalPayload.build pro "a fox" AspectRatio.Landscape FalPayload.noOverrides).ToJsonString()
                        |> ignore))
            ]
    )

    lines.Add ""

let memory (baseUrl: string) (self: string) (lines: List<string>) =
    lines.Add "## 5. Memory under hostile answers (a fresh `Hermes.Bench generate` process per run; median of 3; goal < 100 MB)"
    lines.Add ""
    lines.Add(row [ "provider answer"; "outcome"; "peak working set MB" ])
    lines.Add(row [ "---"; "---"; "---:" ])

    let cases =
        [
            "b64-chunked", "50 MB `b64_json`, chunked (no Content-Length)"
            "b64-announced", "50 MB `b64_json`, Content-Length announced"
            "24", "URL of a 24 MiB image"
            "b64-24", "24 MiB image as `b64_json` (32 MiB body)"
            "0", "URL of a 2 KB image (the floor: runtime, HTTP client, one generation)"
        ]

    for case, label in cases do
        let runs =
            [
                for _ in 1..3 ->
                    let output =
                        (snd (runProcess "dotnet" [ self; "generate"; sprintf "%s/memory/%s/v1" baseUrl case ] [])).Trim()

                    let space = output.IndexOf ' '
                    float (int64 (output.Substring(0, space))) / float mib, output.Substring(space + 1)
            ]

        let outcome = snd runs.Head

        let shown =
            if outcome.Length > 90 then
                outcome.Substring(0, 90) + "…"
            else
                outcome

        lines.Add(row [ label; shown; sprintf "%.1f" (median (List.map fst runs)) ])

    lines.Add ""

    lines.Add
        "A refused answer is read through the images body limit (34.3 MiB: one capped image as base64) with only its first 8 MiB in memory, the rest in a temp file that is deleted; an announced length is refused before the body is read. An accepted `b64_json` holds its body and the decoded image in memory at once (no goal is set for it)."

    lines.Add ""

    lines.Add(sprintf "Measured %s UTC with `dotnet fsi build.fsx bench memory`." (DateTime.UtcNow.ToString "yyyy-MM-dd HH:mm"))

    lines.Add ""

/// `hermes batch` of 64 lines against the fake xAI answering in 200 ms with a 2 KB image: the real binary, wall time
/// from start to exit (median of 3), at the default --parallel and at the most it allows.
let batch (root: string) (baseUrl: string) (lines: List<string>) =
    lines.Add "## 7. `hermes batch` (64 lines, fake xAI answering in 200 ms, real `hermes` process; median of 3, ms)"
    lines.Add ""

    match publishHermes root "shipped" [] with
    | Error why -> lines.Add("publish failed: " + why)
    | Ok hermes ->
        let work = tempHome ()
        let file = Path.Combine(work, "bench.jsonl")
        File.WriteAllLines(file, [ for i in 1..64 -> sprintf """{"id":%d,"prompt":"bench image %d"}""" i i ])

        // Each run starts from an empty cache and no results file, as a first batch does.
        let once (atOnce: int) =
            let home = tempHome ()

            let env =
                [ "HERMES_HOME", home; "XAI_API_KEY", "bench-key"; "XAI_BASE_URL", baseUrl + "/small/v1" ]

            let mutable code = -1

            let wall =
                time (fun () ->
                    code <-
                        fst (
                            runProcess
                                hermes
                                [ "batch"; file; "--parallel"; string atOnce; "--results"; Path.Combine(home, "results.jsonl"); "--quiet" ]
                                env
                        ))

            Directory.Delete(home, true)

            if code <> 0 then
                failwithf "hermes batch exited %d" code

            wall

        lines.Add(row [ "--parallel"; "wall ms"; "lines/s"; "goal" ])
        lines.Add(row [ "---:"; "---:"; "---:"; "---" ])

        for atOnce in [ 8; 16 ] do
            once atOnce |> ignore
            let wall = median [ for _ in 1..3 -> once atOnce ]
            lines.Add(row [ string atOnce; sprintf "%.0f" wall; sprintf "%.1f" (64.0 / wall * 1000.0); "< 2000 ms" ])

        lines.Add ""

        lines.Add
            "Wall time of the whole process: start-up, the check of every line, the 64 generations into an empty cache, the results file. The fake's 200 ms alone puts a floor of 64 / N waves × 200 ms under `--parallel N`: 1.6 s at the default 8, 0.8 s at 16. The load average of the run is in the header. Measured with `dotnet fsi build.fsx bench batch`."

        lines.Add ""
        Directory.Delete(work, true)

/// The sections of `produced` replace those with the same "## N." heading in `existing`; new ones are appended; the header is the new run's.
let mergeSections (existing: string) (produced: string) =
    let split (text: string) =
        let parts = text.Split("\n## ") |> Array.map (fun part -> part.TrimEnd('\n'))
        parts[0], parts[1..] |> Array.map (fun section -> "## " + section) |> List.ofArray

    let key (section: string) =
        section.Substring(0, section.IndexOf '.')

    let _, kept = split existing
    let header, fresh = split produced

    let replaced =
        kept
        |> List.map (fun old -> fresh |> List.tryFind (fun s -> key s = key old) |> Option.defaultValue old)

    let added =
        fresh
        |> List.filter (fun s -> not (kept |> List.exists (fun old -> key old = key s)))

    String.Join("\n\n", header :: replaced @ added) + "\n"

[<EntryPoint>]
let main argv =
    match argv with
    | [| "download"; url |] -> download url
    | [| "generate"; apiBase |] -> generateOnce apiBase
    | [| "serve" |] ->
        let app, baseUrl = startServer ()
        Console.Out.WriteLine baseUrl
        Console.Out.Flush()
        Console.In.ReadToEnd() |> ignore
        app.StopAsync().Wait()
        0
    | args when
        args.Length >= 1
        && args[0] <> "download"
        && args[0] <> "serve"
        && args[0] <> "generate"
        ->
        let root = args[0]

        let wanted =
            if args.Length = 1 then
                [ "startup"; "cache"; "concurrency"; "dispatch"; "memory"; "generate"; "batch" ]
            else
                List.ofArray args[1..]

        let self = Reflection.Assembly.GetExecutingAssembly().Location
        // The fake server runs in its own process so it does not share Hermes' cores' thread pool.
        let server =
            Process.Start(
                ProcessStartInfo(
                    "dotnet",
                    [ self; "serve" ],
                    RedirectStandardOutput = true,
                    RedirectStandardInput = true,
                    UseShellExecute = false
                )
            )

        let baseUrl = server.StandardOutput.ReadLine()
        let lines = List<string>()
        lines.Add "# Hermes benchmarks"
        lines.Add ""

        // The load when the run began: other work on the machine slows every figure, ratios less so.
        let load =
            if File.Exists "/proc/loadavg" then
                " · load average "
                + String.Join(" ", (File.ReadAllText "/proc/loadavg").Split(' ')[0..2])
            else
                ""

        lines.Add(
            sprintf
                "Last run %s UTC (%s) · %d cores%s · %s · .NET %s. Ratios come from one run on a shared machine."
                (DateTime.UtcNow.ToString "yyyy-MM-dd HH:mm")
                (String.Join(", ", wanted))
                Environment.ProcessorCount
                load
                (Runtime.InteropServices.RuntimeInformation.OSDescription)
                (Environment.Version.ToString())
        )

        lines.Add ""

        for section in wanted do
            match section with
            | "startup" -> startup root lines
            | "cache" -> cacheThroughput baseUrl self lines
            | "concurrency" -> concurrency baseUrl lines
            | "dispatch" -> dispatchCost lines
            | "memory" -> memory baseUrl self lines
            | "generate" -> generateVsPython root baseUrl lines
            | "batch" -> batch root baseUrl lines
            | other ->
                failwithf "unknown section '%s': allowed are startup, cache, concurrency, dispatch, memory, generate, batch" other

        server.StandardInput.Close()
        server.WaitForExit()
        let text = String.Join("\n", lines) + "\n"
        Console.Out.Write text

        let results = Path.Combine(root, "bench", "results.md")

        if args.Length = 1 || not (File.Exists results) then
            File.WriteAllText(results, text)
        else
            File.WriteAllText(results, mergeSections (File.ReadAllText results) text)

        0
    | _ ->
        eprintfn
            "usage: Hermes.Bench <repo root> [startup|cache|concurrency|dispatch|memory|generate|batch ...] | download <url> | generate <api base>"

        2
