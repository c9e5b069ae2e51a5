using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Hermes.Domain;
using Hermes.Providers.Storage;
using LanguageExt;

namespace Hermes.Providers.Auth;

/// <summary>
/// $HERMES_HOME/auth.json (mode 0600). Every change is read-modify-write under an inter-process lock and lands
/// through an atomic rename, so concurrent processes never tear the file or lose each other's tokens.
/// Unknown keys are kept as they are.
/// </summary>
public sealed class AuthStore(string path)
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static string PathIn(string hermesHome) => System.IO.Path.Combine(hermesHome, "auth.json");

    public string Path { get; } = path;

    public TimeSpan LockTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>A consistent snapshot (renames are atomic); an absent file is an empty store.</summary>
    public Either<AuthError, JsonObject> Read()
    {
        string text;
        try
        {
            if (!File.Exists(Path))
            {
                return Empty();
            }
            text = File.ReadAllText(Path, Encoding.UTF8);
        }
        catch (IOException e)
        {
            return AuthError.NewStoreCorrupt(e.Message);
        }
        if (string.IsNullOrWhiteSpace(text))
        {
            return Empty();
        }
        try
        {
            return JsonNode.Parse(text) is JsonObject root ? root : AuthError.NewStoreCorrupt($"{Path} is not a JSON object");
        }
        catch (JsonException e)
        {
            return AuthError.NewStoreCorrupt($"{Path} is not valid JSON ({e.Message})");
        }
    }

    /// <summary>Runs <paramref name="change"/> on a fresh read under the lock; writes when it reports a change.</summary>
    public async Task<Either<AuthError, T>> UpdateAsync<T>(
        Func<JsonObject, Task<Either<AuthError, (T Result, bool Changed)>>> change, CancellationToken ct)
    {
        var acquired = await FileLock.AcquireAsync(Path, LockTimeout, ct);
        if (acquired.IsLeft)
        {
            return acquired.Map(_ => default(T)!);
        }
        using var held = acquired.IfLeft(() => throw new InvalidOperationException());
        var root = Read();
        if (root.IsLeft)
        {
            return root.Map(_ => default(T)!);
        }
        var document = root.IfLeft(() => throw new InvalidOperationException());
        var outcome = await change(document);
        return outcome.Map(result =>
        {
            if (result.Changed)
            {
                document["version"] ??= 1;
                document["updated_at"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.fffZ");
                AtomicFile.Write(Path, JsonSerializer.SerializeToUtf8Bytes(document, Indented), AtomicFile.OwnerOnly);
            }
            return result.Result;
        });
    }

    public Task<Either<AuthError, T>> UpdateAsync<T>(Func<JsonObject, Either<AuthError, (T Result, bool Changed)>> change, CancellationToken ct) =>
        UpdateAsync(root => Task.FromResult(change(root)), ct);

    private static JsonObject Empty() => new() { ["version"] = 1, ["providers"] = new JsonObject() };
}
