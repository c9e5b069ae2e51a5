/// What the NativeAOT build of `hermes` relies on, checked on the IL build so a regression shows before a publish.
module Hermes.Tests.Build.NativeAotBuildTests

open System
open System.Diagnostics
open System.IO
open System.Reflection
open System.Reflection.Metadata
open System.Reflection.PortableExecutable
open System.Text.RegularExpressions
open Xunit
open Hermes.Tests.Cli

let private repoRoot = Hermes.Tests.Domain.PurityTests.repoRoot

/// (accessors with specialname, accessors without) among the property accessors of an assembly.
let private accessorFlags (path: string) =
    use pe = new PEReader(File.OpenRead path)
    let md = pe.GetMetadataReader()

    let accessors =
        [
            for property in md.PropertyDefinitions do
                let a = md.GetPropertyDefinition(property).GetAccessors()

                for h in [ a.Getter; a.Setter ] do
                    if not h.IsNil then
                        md.GetMethodDefinition(h).Attributes.HasFlag MethodAttributes.SpecialName
        ]

    accessors |> List.filter id |> List.length, accessors |> List.filter not |> List.length

[<Fact>]
let ``build/PropertyAccessors.fsx marks every accessor of hermes.dll specialname, as NativeAOT needs to keep union field attributes`` () =
    let copy = Path.Combine(Path.GetTempPath(), $"hermes-accessors-{Guid.NewGuid():N}.dll")
    File.Copy(HermesProcess.hermesDll, copy)

    try
        let markedBefore, unmarkedBefore = accessorFlags copy
        // F# leaves union case properties (Item, Tag, Is*) unmarked: the very thing the script exists for
        Assert.True(unmarkedBefore > 0, "the IL build has unmarked union accessors")

        let info =
            ProcessStartInfo(
                HermesProcess.dotnet,
                [ "fsi"; Path.Combine(repoRoot, "build", "PropertyAccessors.fsx"); copy ],
                RedirectStandardOutput = true,
                RedirectStandardError = true
            )

        use p = Process.Start info
        let out = p.StandardOutput.ReadToEnd()
        let err = p.StandardError.ReadToEnd()
        p.WaitForExit()
        Assert.True((p.ExitCode = 0), $"exit {p.ExitCode}: {err}")
        Assert.Contains($"{unmarkedBefore} property accessors marked specialname", out)

        let markedAfter, unmarkedAfter = accessorFlags copy
        Assert.Equal(0, unmarkedAfter)
        Assert.Equal(markedBefore + unmarkedBefore, markedAfter)
        // specialname (0x0800) lives in the high byte of Flags: exactly one byte per accessor changed, nothing else
        let before = File.ReadAllBytes HermesProcess.hermesDll
        let after = File.ReadAllBytes copy
        Assert.Equal(before.Length, after.Length)
        let changed = Seq.zip before after |> Seq.filter (fun (a, b) -> a <> b) |> Seq.length
        Assert.Equal(unmarkedBefore, changed)
    finally
        File.Delete copy

/// printf-family formats with a value-type specifier (%d, %g, %f, ...) fail in the native binary: FSharp.Core builds
/// their specialisations with MakeGenericMethod, which has no native code. Interpolated strings are safe.
[<Fact>]
let ``no printf-family format in the CLI or the domain uses a specifier other than %s`` () =
    let call =
        Regex(@"\b(sprintf|failwithf|printfn|eprintfn|printf|eprintf|kprintf|ksprintf|fprintf|fprintfn)\b\s*""((?:[^""\\]|\\.)*)""")

    let offending =
        [
            for project in [ "Hermes.Cli"; "Hermes.Domain" ] do
                let dir = Path.Combine(repoRoot, "src", project)

                for file in Directory.GetFiles(dir, "*.fs", SearchOption.AllDirectories) do
                    if not (file.Contains $"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") then
                        for m in call.Matches(File.ReadAllText file) do
                            let specifiers =
                                Regex.Matches(m.Groups[2].Value, @"%[-+ 0#]*\d*(?:\.\d+)?[a-zA-Z%]")
                                |> Seq.map _.Value
                                |> Seq.filter (fun s -> s <> "%s" && s <> "%%")
                                |> List.ofSeq

                            if not specifiers.IsEmpty then
                                $"{Path.GetFileName file}: {m.Value}"
        ]

    Assert.Empty offending
