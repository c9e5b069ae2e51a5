using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Hermes.Domain;
using Hermes.Providers.Storage;
using LanguageExt;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using static LanguageExt.Prelude;

namespace Hermes.Providers.Auth;

/// <summary>
/// $HERMES_HOME/auth.json (mode 0600 in a 0700 folder). Every change is read-modify-write under an inter-process lock and
/// lands through an atomic rename, so concurrent processes never tear the file or lose each other's tokens.
/// Unknown keys are kept as they are. A symlinked, corrupt or wrongly shaped file is a <see cref="StorageError"/>, never an exception.
/// </summary>
internal sealed class AuthStore(string path, ILogger? logger = null)
{
    /// <summary>Far above any real auth.json; a bigger file is not one.</summary>
    public const long MaxBytes = 16 * 1024 * 1024;

    private const string What = "auth file";
    private const string Fix = "fix it, or move it aside and sign in again with `hermes auth add xai-oauth`";
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };
    private readonly ILogger log = logger ?? NullLogger.Instance;

    public static string PathIn(string hermesHome) => System.IO.Path.Combine(hermesHome, "auth.json");

    public string Path { get; } = path;

    public TimeSpan LockTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>False for a library client that did not opt into the user profile: the file is neither read nor written.</summary>
    public bool ReadsSignIns { get; init; } = true;

    /// <summary>A consistent snapshot (renames are atomic); an absent or blank file is an empty store.</summary>
    public Either<StorageError, JsonObject> Read() =>
        !ReadsSignIns ? Right<StorageError, JsonObject>(Empty()) :
        OwnedFile.ReadText(Path, What, MaxBytes, OwnedFile.FileMode, log)
            .Bind(text => text.Filter(t => !string.IsNullOrWhiteSpace(t)).Match(Parse, () => Right<StorageError, JsonObject>(Empty())));

    private Either<StorageError, JsonObject> Parse(string text) =>
        AuthFile.check(AuthFile.hermesShape, text).ToEither()
            .MapLeft(problem => new StorageError(
                problem.IsNotJson ? StorageFailure.Corrupt : StorageFailure.WrongShape, Path,
                $"{Path} {AuthFile.describe(problem)}; {Fix}"))
            .Map(_ => JsonNode.Parse(text)!.AsObject());

    /// <summary>Runs <paramref name="change"/> on a fresh read under the lock; writes when it reports a change.</summary>
    public async Task<Either<AuthError, T>> UpdateAsync<T>(
        Func<JsonObject, Task<Either<AuthError, (T Result, bool Changed)>>> change, CancellationToken ct)
    {
        if (!ReadsSignIns)
        {
            return AuthError.NotSignedIn;
        }
        var home = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Path))!;
        var acquired = await OwnedFile.EnsureDirectory(home, Path).BindAsync(_ => FileLock.AcquireAsync(Path, LockTimeout, ct));
        return await acquired.MapLeft(error => error.ToAuthError()).BindAsync(async held =>
        {
            using (held)
            {
                return await Read().MapLeft(error => error.ToAuthError()).BindAsync(async root =>
                    (await change(root)).Bind(outcome => Save(root, outcome)));
            }
        });
    }

    public Task<Either<AuthError, T>> UpdateAsync<T>(Func<JsonObject, Either<AuthError, (T Result, bool Changed)>> change, CancellationToken ct) =>
        UpdateAsync(root => Task.FromResult(change(root)), ct);

    private Either<AuthError, T> Save<T>(JsonObject document, (T Result, bool Changed) outcome)
    {
        if (!outcome.Changed)
        {
            return Right<AuthError, T>(outcome.Result);
        }
        document["version"] ??= 1;
        document["updated_at"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.fffZ");
        return AtomicFile.Write(Path, Encoding.UTF8.GetBytes(document.ToJsonString(Indented)), AtomicFile.OwnerOnly)
            .Map(_ => outcome.Result)
            .MapLeft(error => error.ToAuthError());
    }

    private static JsonObject Empty() => new() { ["version"] = 1, ["providers"] = new JsonObject() };
}
