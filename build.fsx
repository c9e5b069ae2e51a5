// Hermes build script, plain `dotnet fsi` (no FAKE): dotnet fsi build.fsx <target>
open System
open System.Diagnostics
open System.IO

let root = __SOURCE_DIRECTORY__

let run (file: string) (args: string list) =
    printfn "> %s %s" file (String.Join(" ", args))

    let info =
        ProcessStartInfo(file, args, WorkingDirectory = root, UseShellExecute = false)

    use proc = Process.Start info
    proc.WaitForExit()
    proc.ExitCode

let dotnet args = run "dotnet" args

/// Runs steps in order and stops at the first failure.
let steps (all: (unit -> int) list) =
    all |> List.fold (fun code step -> if code <> 0 then code else step ()) 0

let packages = Path.Combine(root, "artifacts", "packages")

/// The runtime identifier to publish for: RID from the environment, else this machine's portable one.
let publishRid =
    match Environment.GetEnvironmentVariable "RID" with
    | null
    | "" ->
        let os =
            if OperatingSystem.IsWindows() then "win"
            elif OperatingSystem.IsMacOS() then "osx"
            else "linux"

        os
        + "-"
        + Runtime.InteropServices.RuntimeInformation.OSArchitecture.ToString().ToLowerInvariant()
    | rid -> rid

let targets =
    [
        "build", "build everything in Release", (fun () -> dotnet [ "build"; "Hermes.sln"; "-c"; "Release" ])
        "test",
        "build and run the whole test suite, then publish the native `hermes` and run the CLI and MCP tests against it",
        (fun () ->
            let native = Path.Combine(root, "artifacts", "test-native")

            steps
                [
                    (fun () -> dotnet [ "test"; "Hermes.sln" ])
                    (fun () -> dotnet [ "publish"; "src/Hermes.Cli"; "-c"; "Release"; "-o"; native ])
                    (fun () ->
                        let binary = if OperatingSystem.IsWindows() then "hermes.exe" else "hermes"
                        Environment.SetEnvironmentVariable("HERMES_TEST_BINARY", Path.Combine(native, binary))

                        dotnet
                            [
                                "test"
                                "tests/Hermes.Tests"
                                "--no-build"
                                "--filter"
                                "FullyQualifiedName~Hermes.Tests.Cli|FullyQualifiedName~Hermes.Tests.Mcp"
                            ])
                ])
        "bench",
        "print and write bench/results.md: start-up, URL → cache vs curl, concurrency, dispatch cost, memory, batch (or name sections)",
        (fun () ->
            dotnet (
                [ "run"; "--project"; "bench/Hermes.Bench"; "-c"; "Release"; "--"; root ]
                @ List.ofArray fsi.CommandLineArgs[2..]
            ))
        "publish",
        "the shipped `hermes` (NativeAOT, invariant globalization) in artifacts/publish/<rid>; RID=<rid> for another platform",
        (fun () ->
            dotnet
                [
                    "publish"
                    "src/Hermes.Cli"
                    "-c"
                    "Release"
                    "-r"
                    publishRid
                    "-o"
                    Path.Combine(root, "artifacts", "publish", publishRid)
                ])
        "pack",
        "make the library packages (with .snupkg symbols) and the `hermes` dotnet tool in artifacts/packages; CI=true for a deterministic build",
        (fun () -> dotnet [ "pack"; "Hermes.sln"; "-c"; "Release"; "-o"; packages ])
        "format-check",
        "check F# (Fantomas) and C# (dotnet format) formatting",
        (fun () ->
            steps
                [
                    (fun () -> dotnet [ "tool"; "restore" ])
                    (fun () -> dotnet [ "fantomas"; "--check"; "src"; "tests"; "bench"; "build.fsx" ])
                    (fun () ->
                        dotnet
                            [
                                "format"
                                "src/Hermes.Providers/Hermes.Providers.csproj"
                                "--verify-no-changes"
                            ])
                    (fun () ->
                        dotnet
                            [
                                "format"
                                "src/Hermes.ImageGeneration.DependencyInjection/Hermes.ImageGeneration.DependencyInjection.csproj"
                                "--verify-no-changes"
                            ])
                ])
    ]

let usage () =
    printfn "usage: dotnet fsi build.fsx <target>\n"

    for name, description, _ in targets do
        printfn "  %-13s %s" name description

let target = fsi.CommandLineArgs |> Array.tryItem 1 |> Option.defaultValue "build"

match targets |> List.tryFind (fun (name, _, _) -> name = target) with
| Some(_, _, action) -> exit (action ())
| None ->
    usage ()
    exit (if target = "help" then 0 else 2)
