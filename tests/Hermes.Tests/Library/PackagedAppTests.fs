/// The packages as an app gets them: packed, restored from a folder (offline), built and run against a loopback xAI.
module Hermes.Tests.Library.PackagedAppTests

open System
open System.Diagnostics
open System.IO
open System.Text.RegularExpressions
open System.Threading.Tasks
open Xunit
open Hermes.Tests.Support
open Hermes.Tests.Support.Fakes
open Hermes.Tests.Library.ReadmeSnippetTests

let configuration = DirectoryInfo(AppContext.BaseDirectory).Parent.Name

/// The value of the first <c>pattern</c> match in a repository file.
let repoValue (file: string) (pattern: string) =
    Regex.Match(File.ReadAllText(Path.Combine(root, file)), pattern).Groups[1].Value

let dotnet =
    match Environment.GetEnvironmentVariable "DOTNET_HOST_PATH" with
    | null
    | "" -> "dotnet"
    | path -> path

/// Runs dotnet with these arguments, without the MSBuild variables of the test host; fails with its output.
let run (arguments: string list) (extra: (string * string) list) =
    task {
        let info =
            ProcessStartInfo(dotnet, arguments, RedirectStandardOutput = true, RedirectStandardError = true)

        for key in List.ofSeq info.Environment.Keys do
            if key.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase) then
                info.Environment.Remove key |> ignore

        for k, v in ("DOTNET_NOLOGO", "1") :: ("DOTNET_CLI_TELEMETRY_OPTOUT", "1") :: extra do
            info.Environment[k] <- v

        use proc = Process.Start info
        let output = proc.StandardOutput.ReadToEndAsync()
        let! err = proc.StandardError.ReadToEndAsync()
        do! proc.WaitForExitAsync()
        let! out = output
        Assert.True((0 = proc.ExitCode), sprintf "dotnet %s failed:\n%s\n%s" (String.Join(" ", arguments)) out err)
    }

/// The three library packages, packed from this build once per test run into a folder of their own.
let packed: Lazy<Task<string>> =
    lazy
        (task {
            let folder = Path.Combine(Path.GetTempPath(), "hermes-packages", Guid.NewGuid().ToString("N"))

            AppDomain.CurrentDomain.ProcessExit.Add(fun _ ->
                try
                    Directory.Delete(folder, true)
                with _ ->
                    ())

            for project in
                [
                    "src/Hermes.Domain/Hermes.Domain.fsproj"
                    "src/Hermes.Providers/Hermes.Providers.csproj"
                    "src/Hermes.ImageGeneration.DependencyInjection/Hermes.ImageGeneration.DependencyInjection.csproj"
                ] do
                do! run [ "pack"; Path.Combine(root, project); "--no-build"; "-c"; configuration; "-o"; folder ] []

            return folder
        })

/// The machine's package folder: it already holds every dependency, and serves as an offline feed.
let machineFeed =
    match Environment.GetEnvironmentVariable "NUGET_PACKAGES" with
    | null
    | "" -> Path.Combine(Environment.GetFolderPath Environment.SpecialFolder.UserProfile, ".nuget", "packages")
    | path -> path

[<Fact>]
let ``the README sample as an app referencing only the packed packages generates and edits against a loopback xAI`` () =
    task {
        let! packages = packed.Force()
        let work = Path.Combine(Path.GetTempPath(), "hermes-app", Guid.NewGuid().ToString("N"))
        let app = Path.Combine(work, "app")
        Directory.CreateDirectory app |> ignore

        try
            let version = repoValue "Directory.Build.props" @"<Version>([^<]+)</Version>"

            let container =
                repoValue "Directory.Packages.props" @"Include=""Microsoft.Extensions.DependencyInjection"" Version=""([^""]+)"""

            File.WriteAllText(
                Path.Combine(app, "App.csproj"),
                $"""<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <OutputType>Exe</OutputType>
    <TargetFramework>net10.0</TargetFramework>
    <ImplicitUsings>enable</ImplicitUsings>
    <Nullable>enable</Nullable>
    <NoWarn>$(NoWarn);MEAI001</NoWarn>
  </PropertyGroup>
  <ItemGroup>
    <PackageReference Include="Hermes.ImageGeneration.DependencyInjection" Version="{version}" />
    <PackageReference Include="Microsoft.Extensions.DependencyInjection" Version="{container}" />
  </ItemGroup>
</Project>
"""
            )

            File.WriteAllText(
                Path.Combine(app, "nuget.config"),
                $"""<configuration>
  <packageSources>
    <clear />
    <add key="hermes" value="{packages}" />
    <add key="machine" value="{machineFeed}" />
  </packageSources>
</configuration>
"""
            )

            File.Copy(sampleSource, Path.Combine(app, "Program.cs"))
            // A package folder of its own: a Hermes package of the same version restored earlier can never stand in for this build.
            do! run [ "build"; app; "-c"; "Release"; "-v"; "q" ] [ "NUGET_PACKAGES", Path.Combine(work, "nuget") ]

            use home = new TestHome()
            let generated, edited = png 91, png 92
            use api = sampleApi generated edited
            let! files = runSample (Path.Combine(app, "bin", "Release", "net10.0", "App.dll")) home api
            assertSampleRan home api generated edited files
        finally
            try
                Directory.Delete(work, true)
            with _ ->
                ()
    }
