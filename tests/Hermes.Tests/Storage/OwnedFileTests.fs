/// auth.json, its lock and the Codex file as trust.md wants them: owner-only, never through a link, typed errors instead of exceptions.
module Hermes.Tests.Storage.OwnedFileTests

open System
open System.Diagnostics
open System.IO
open System.Text.Json.Nodes
open System.Threading
open Xunit
open Hermes.Domain
open Hermes.Providers.Auth
open Hermes.Providers.Codex
open Hermes.Providers.Storage
open Hermes.Tests.Support
open Hermes.Tests.Support.EitherExpect

let ownerOnly = UnixFileMode.UserRead ||| UnixFileMode.UserWrite

let ownerOnlyDir =
    UnixFileMode.UserRead ||| UnixFileMode.UserWrite ||| UnixFileMode.UserExecute

let validAuth = """{"version":1,"providers":{}}"""

let store (home: TestHome) (logs: CapturedLogs) =
    AuthStore(home.AuthPath, logs.Logger, LockTimeout = TimeSpan.FromSeconds 5.0)

let noChange: Func<JsonObject, LanguageExt.Either<AuthError, struct (int * bool)>> =
    Func<_, _>(fun _ -> LanguageExt.Either<AuthError, struct (int * bool)>.Right(struct (1, true)))

let update (auth: AuthStore) =
    auth.UpdateAsync<int>(noChange, CancellationToken.None).Result

[<Fact>]
let ``an auth.json readable by others is set back to 0600 in a 0700 home on read, with a warning`` () =
    use home = new TestHome()
    let logs = CapturedLogs()
    File.WriteAllText(home.AuthPath, validAuth)
    File.SetUnixFileMode(home.AuthPath, ownerOnly ||| UnixFileMode.GroupRead ||| UnixFileMode.OtherRead)
    File.SetUnixFileMode(home.Path, ownerOnlyDir ||| UnixFileMode.OtherRead ||| UnixFileMode.OtherExecute)
    rightOf ((store home logs).Read()) |> ignore
    Assert.Equal(ownerOnly, File.GetUnixFileMode home.AuthPath)
    Assert.Equal(ownerOnlyDir, File.GetUnixFileMode home.Path)
    Assert.Equal(2, logs.Warnings.Length)
    Assert.Contains(logs.Warnings, fun w -> w.Contains home.AuthPath && w.Contains "0644" && w.Contains "0600")
    rightOf ((store home logs).Read()) |> ignore
    Assert.Equal(2, logs.Warnings.Length)

[<Fact>]
let ``a symlinked auth.json is refused with a storage error naming it, and nothing is written through the link`` () =
    use home = new TestHome()
    let target = Path.Combine(home.Path, "elsewhere.json")
    File.WriteAllText(target, validAuth)
    File.CreateSymbolicLink(home.AuthPath, target) |> ignore
    let logs = CapturedLogs()
    let error = leftOf ((store home logs).Read())
    Assert.Equal(StorageFailure.Symlink, error.Failure)
    Assert.Equal(home.AuthPath, error.Path)
    Assert.Contains(home.AuthPath, error.Message)
    Assert.Contains("symbolic link", error.Message)
    let refused = leftOf (update (store home logs))
    Assert.Equal("xai_auth_store_corrupt", AuthError.code refused)
    Assert.Equal(validAuth, File.ReadAllText target)

[<Fact>]
let ``a symlinked lock file is refused and its target is never created`` () =
    use home = new TestHome()
    let target = Path.Combine(home.Path, "created-through-the-link")
    File.CreateSymbolicLink(home.AuthPath + ".lock", target) |> ignore
    let refused = leftOf (update (store home (CapturedLogs())))
    Assert.Contains(home.AuthPath + ".lock", AuthError.message refused)
    Assert.Contains("symbolic link", AuthError.message refused)
    Assert.False(File.Exists target)
    Assert.False(File.Exists home.AuthPath)

[<Theory>]
[<InlineData("{\"providers\": {", "is not valid JSON (line 1)")>]
[<InlineData("[1, 2]", "is not a JSON object")>]
[<InlineData("{\"providers\": [\"xai-oauth\"]}", "has \"providers\" that is not a JSON object")>]
[<InlineData("{\"credential_pool\": {\"xai-oauth\": \"sk-secret\"}}", "has \"credential_pool.xai-oauth\" that is not a JSON array")>]
let ``a corrupt or wrongly shaped auth.json is a typed error naming the file and the fix`` (text: string, problem: string) =
    use home = new TestHome()
    File.WriteAllText(home.AuthPath, text)
    let error = leftOf ((store home (CapturedLogs())).Read())

    Assert.True(
        error.Failure = StorageFailure.Corrupt
        || error.Failure = StorageFailure.WrongShape
    )

    Assert.StartsWith(home.AuthPath + " " + problem, error.Message)
    Assert.Contains("hermes auth add xai-oauth", error.Message)
    Assert.DoesNotContain("sk-secret", error.Message)
    Assert.Equal(text, File.ReadAllText home.AuthPath)

[<Fact>]
let ``a corrupt auth.json reaches every caller as a typed error, never an exception`` () =
    use home = new TestHome()
    File.WriteAllText(home.AuthPath, "{ not json")
    let ctx = home.Context([ "XAI_API_KEY", "xai-key" ])
    let listed = leftOf (XaiAccounts.List ctx)
    Assert.Equal(ErrorKind.Storage, listed.Kind)
    Assert.Contains(home.AuthPath, listed.Message)

    let resolved =
        leftOf ((XaiTokenManager(ctx, XaiOAuthClient ctx)).ResolveAsync(CancellationToken.None).Result)

    Assert.Equal("xai_auth_store_corrupt", AuthError.code resolved)
    Assert.Contains(home.AuthPath, AuthError.message resolved)
    Assert.Contains(home.AuthPath, (leftOf (CodexCredentials.Read ctx)).Message)

[<Fact>]
let ``an auth.json bigger than any real one is refused before it is read`` () =
    use home = new TestHome()

    do
        use file = File.Create home.AuthPath
        file.SetLength(AuthStore.MaxBytes + 1L)

    let error = leftOf ((store home (CapturedLogs())).Read())
    Assert.Equal(StorageFailure.Corrupt, error.Failure)
    Assert.Contains(home.AuthPath, error.Message)

[<Fact>]
let ``an auth.json that is a directory is a storage error`` () =
    use home = new TestHome()
    Directory.CreateDirectory home.AuthPath |> ignore
    let error = leftOf ((store home (CapturedLogs())).Read())
    Assert.Equal(StorageFailure.Unreadable, error.Failure)
    Assert.Contains("is a directory", error.Message)

[<Fact>]
let ``a lock that is a directory is a storage error at once, not a wait`` () =
    use home = new TestHome()
    Directory.CreateDirectory(home.AuthPath + ".lock") |> ignore
    let clock = Stopwatch.StartNew()
    let refused = leftOf (update (store home (CapturedLogs())))
    Assert.True(clock.Elapsed < TimeSpan.FromSeconds 3.0, "waited for a lock that can never be taken")
    Assert.Equal("xai_auth_store_corrupt", AuthError.code refused)
    Assert.Contains("is a directory", AuthError.message refused)

[<Fact>]
let ``a lock another process holds past the timeout is a lock-timeout storage error`` () =
    use home = new TestHome()

    use held =
        rightOf (FileLock.AcquireAsync(home.AuthPath, TimeSpan.FromSeconds 1.0, CancellationToken.None).Result)

    let waiting =
        AuthStore(home.AuthPath, LockTimeout = TimeSpan.FromMilliseconds 300.0)

    let refused = leftOf (update waiting)
    Assert.Equal("xai_auth_store_locked", AuthError.code refused)

[<Fact>]
let ``an atomic write with a directory in the way is a typed error and leaves no temp file`` () =
    use home = new TestHome()
    let target = Path.Combine(home.Path, "auth.json")
    Directory.CreateDirectory target |> ignore

    let error =
        leftOf (AtomicFile.Write(target, [| 1uy |], Nullable AtomicFile.OwnerOnly))

    Assert.Equal(StorageFailure.WriteFailed, error.Failure)
    Assert.Contains(target, error.Message)
    Assert.Equal<string[]>([| target |], Directory.GetFileSystemEntries home.Path)

[<Fact>]
let ``an atomic write removes the temp files a killed writer left, and never a fresh one or another file's`` () =
    use home = new TestHome()
    let target = Path.Combine(home.Path, "auth.json")
    let left = Path.Combine(home.Path, ".auth.json.0A1B2C3D4E5F.tmp")
    let live = Path.Combine(home.Path, ".auth.json.FFEEDDCCBBAA.tmp")
    let other = Path.Combine(home.Path, ".config.yaml.0A1B2C3D4E5F.tmp")

    for file in [ left; live; other ] do
        File.WriteAllText(file, "half")

    let old = DateTime.UtcNow - AtomicFile.StaleTemp - TimeSpan.FromMinutes 5.0
    File.SetLastWriteTimeUtc(left, old)
    File.SetLastWriteTimeUtc(other, old)

    rightOf (AtomicFile.Write(target, [| 1uy |], Nullable AtomicFile.OwnerOnly)) |> ignore

    Assert.False(File.Exists left)
    Assert.True(File.Exists live)
    Assert.True(File.Exists other)
    Assert.Equal<byte[]>([| 1uy |], File.ReadAllBytes target)

[<Fact>]
let ``an atomic write into a folder that cannot exist is a typed error`` () =
    use home = new TestHome()
    let blocker = Path.Combine(home.Path, "not-a-folder")
    File.WriteAllText(blocker, "")
    let target = Path.Combine(blocker, "auth.json")

    let error =
        leftOf (AtomicFile.Write(target, [| 1uy |], Nullable AtomicFile.OwnerOnly))

    Assert.Equal(StorageFailure.WriteFailed, error.Failure)
    Assert.Contains(target, error.Message)

[<Fact>]
let ``a home that cannot be created is a storage error, not an exception`` () =
    use home = new TestHome()
    let blocker = Path.Combine(home.Path, "file")
    File.WriteAllText(blocker, "")

    let refused =
        leftOf (update (AuthStore(Path.Combine(blocker, "home", "auth.json"))))

    Assert.Contains("cannot create the folder", AuthError.message refused)

[<Fact>]
let ``a new auth.json is 0600 in a home created 0700`` () =
    use home = new TestHome()
    let fresh = Path.Combine(home.Path, "fresh-home")
    rightOf (update (AuthStore(Path.Combine(fresh, "auth.json")))) |> ignore
    Assert.Equal(ownerOnlyDir, File.GetUnixFileMode fresh)
    Assert.Equal(ownerOnly, File.GetUnixFileMode(Path.Combine(fresh, "auth.json")))

[<Theory>]
[<InlineData("{\"tokens\": ")>]
[<InlineData("{\"tokens\": \"not an object\"}")>]
let ``a corrupt $CODEX_HOME/auth.json is a typed error naming it`` (text: string) =
    use home = new TestHome()
    let codexHome = Path.Combine(home.Path, "codex")
    Directory.CreateDirectory codexHome |> ignore
    let codexAuth = Path.Combine(codexHome, "auth.json")
    File.WriteAllText(codexAuth, text)

    let error =
        leftOf (CodexCredentials.Read(home.Context([ "CODEX_HOME", codexHome ])))

    Assert.Equal(codexAuth, error.Path)
    Assert.StartsWith(codexAuth, error.Message)
    Assert.Contains("codex login", error.Message)

[<Fact>]
let ``a missing Codex file is no token, not an error`` () =
    use home = new TestHome()

    let found =
        rightOf (CodexCredentials.Read(home.Context([ "CODEX_HOME", Path.Combine(home.Path, "none") ])))

    Assert.True found.IsNone
