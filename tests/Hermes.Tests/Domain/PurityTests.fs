module Hermes.Tests.Domain.PurityTests

open System.IO
open System.Text.RegularExpressions
open Xunit

let repoRoot =
    let rec up (dir: DirectoryInfo) =
        if isNull dir then
            failwith "Hermes.sln not found above the test binaries"
        elif File.Exists(Path.Combine(dir.FullName, "Hermes.sln")) then
            dir.FullName
        else
            up dir.Parent

    up (DirectoryInfo(System.AppContext.BaseDirectory))

let forbidden =
    [
        @"\bSystem\.IO\b", "file or stream IO"
        @"\bSystem\.Net\b(?!\.IPAddress\b)", "networking" // an IPAddress value is data; parsing it is pure
        @"\bDns\b", "name resolution"
        @"\bDateTime(Offset)?\.(Now|UtcNow|Today)\b", "the clock"
        @"\bStopwatch\b", "the clock"
        @"\bRandom\b|RandomNumberGenerator|Guid\.NewGuid", "randomness"
        @"\bEnvironment\.", "the environment"
        @"\b(File|Directory|Console|Process)\.", "IO"
        @"\bTask\b|\basync\b|\btask\s*\{", "effects"
    ]

[<Fact>]
let ``Hermes.Domain sources use no IO, clock, randomness, network or environment`` () =
    let sources =
        Directory.GetFiles(Path.Combine(repoRoot, "src", "Hermes.Domain"), "*.fs")

    Assert.NotEmpty sources

    let violations =
        [
            for file in sources do
                let lines = File.ReadAllLines file

                for i in 0 .. lines.Length - 1 do
                    let code = Regex.Replace(lines[i], @"//.*$", "")

                    for pattern, what in forbidden do
                        if Regex.IsMatch(code, pattern) then
                            yield sprintf "%s:%d uses %s: %s" (Path.GetFileName file) (i + 1) what (lines[i].Trim())
        ]

    Assert.True(List.isEmpty violations, String.concat "\n" violations)

[<Fact>]
let ``Hermes.Domain references no networking or IO assembly`` () =
    let references =
        typeof<Hermes.Domain.AspectRatio>.Assembly.GetReferencedAssemblies()
        |> Array.map _.Name
        |> Array.filter (fun n ->
            (n.StartsWith "System.Net" && n <> "System.Net.Primitives")
            || n = "System.IO.FileSystem"
            || n = "System.Console"
            || n = "System.Diagnostics.Process")

    Assert.Empty references
