using System.Text.Json.Nodes;
using Hermes.Domain;
using Hermes.Providers.Auth;
using Hermes.Providers.Core;
using Hermes.Providers.Storage;
using LanguageExt;
using static LanguageExt.Prelude;

namespace Hermes.Providers.Codex;

/// <summary>A Codex (ChatGPT) sign-in token and where it was found.</summary>
internal sealed record CodexToken(string AccessToken, string? AccountId, string Source)
{
    public bool IsExpired(long nowUnixSeconds) => TokenExpiry.isExpiring(nowUnixSeconds, 0, AccessToken);
}

/// <summary>The one place Codex tokens are read: Hermes' auth.json (providers["openai-codex"]), then $CODEX_HOME/auth.json (default ~/.codex).</summary>
internal static class CodexCredentials
{
    private const long MaxBytes = 16 * 1024 * 1024;

    public static string CodexAuthPath(HermesEnvironment env) =>
        Path.Combine(env.Get("CODEX_HOME").IfNone(() => Path.Combine(env.UserHome, ".codex")), "auth.json");

    /// <summary>The token, None when neither file holds one; an unreadable or corrupt file is an error naming it.</summary>
    public static Either<StorageError, Option<CodexToken>> Read(HermesContext ctx) =>
        ctx.Auth.Read().Bind(hermes => FromTokens(hermes["providers"]?["openai-codex"]?["tokens"], ctx.Auth.Path)
            .Match(found => Right<StorageError, Option<CodexToken>>(Some(found)),
                () => ctx.Auth.ReadsSignIns ? FromFile(CodexAuthPath(ctx.Environment)) : Right<StorageError, Option<CodexToken>>(None)));

    /// <summary>The Codex CLI's own file: read as it is (it is not Hermes's to repair), but never unbounded and never as an exception.</summary>
    private static Either<StorageError, Option<CodexToken>> FromFile(string path)
    {
        const string Fix = "run `codex login` to write it again";
        try
        {
            if (!File.Exists(path))
            {
                return Option<CodexToken>.None;
            }
            if (new FileInfo(path).Length > MaxBytes)
            {
                return new StorageError(StorageFailure.Corrupt, path, $"{path} is larger than {MaxBytes} bytes; {Fix}");
            }
            var text = File.ReadAllText(path);
            return AuthFile.check(AuthFile.codexShape, text).ToEither()
                .MapLeft(problem => new StorageError(problem.IsNotJson ? StorageFailure.Corrupt : StorageFailure.WrongShape, path,
                    $"{path} {AuthFile.describe(problem)}; {Fix}"))
                .Map(_ => FromTokens(JsonNode.Parse(text)?["tokens"], path));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new StorageError(StorageFailure.Unreadable, path, $"cannot read {path}: {e.Message}");
        }
    }

    private static Option<CodexToken> FromTokens(JsonNode? tokens, string source)
    {
        string? Text(string key) => tokens is JsonObject obj && obj[key] is JsonValue v && v.TryGetValue<string>(out var s) && !string.IsNullOrWhiteSpace(s) ? s.Trim() : null;
        return Optional(Text("access_token")).Map(access =>
            new CodexToken(access, CodexHeaders.accountId(access, Fs.Opt(Text("account_id")))?.Value, source));
    }
}
