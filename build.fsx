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

let targets =
    [
        "build", "build everything in Release", (fun () -> dotnet [ "build"; "Hermes.sln"; "-c"; "Release" ])
        "test", "build and run the whole test suite", (fun () -> dotnet [ "test"; "Hermes.sln" ])
        "bench",
        "print and write bench/results.md: start-up, URL → cache vs curl, concurrency, dispatch cost, memory, batch (or name sections)",
        (fun () ->
            dotnet (
                [ "run"; "--project"; "bench/Hermes.Bench"; "-c"; "Release"; "--"; root ]
                @ List.ofArray fsi.CommandLineArgs[2..]
            ))
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
