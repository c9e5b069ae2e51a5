using System.Text.Json;
using System.Text.Json.Nodes;
using Hermes.Domain;
using Hermes.Providers.Core;
using LanguageExt;
using static LanguageExt.Prelude;

namespace Hermes.Providers.Codex;

/// <summary>A Codex (ChatGPT) sign-in token and where it was found.</summary>
public sealed record CodexToken(string AccessToken, string? AccountId, string Source)
{
    public bool IsExpired(long nowUnixSeconds) => TokenExpiry.isExpiring(nowUnixSeconds, 0, AccessToken);
}

/// <summary>The one place Codex tokens are read: Hermes' auth.json (providers["openai-codex"]), then $CODEX_HOME/auth.json (default ~/.codex).</summary>
public static class CodexCredentials
{
    public static string CodexAuthPath(HermesEnvironment env) =>
        Path.Combine(env.Get("CODEX_HOME").IfNone(() => Path.Combine(env.UserHome, ".codex")), "auth.json");

    public static Option<CodexToken> Read(HermesContext ctx)
    {
        var fromHermes = ctx.Auth.Read().Match(Right: root => FromTokens(root["providers"]?["openai-codex"]?["tokens"], ctx.Auth.Path), Left: _ => None);
        return fromHermes.IsSome ? fromHermes : FromFile(CodexAuthPath(ctx.Environment));
    }

    private static Option<CodexToken> FromFile(string path)
    {
        try
        {
            return File.Exists(path) && JsonNode.Parse(File.ReadAllText(path)) is JsonObject root
                ? FromTokens(root["tokens"], path)
                : None;
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
        {
            return None;
        }
    }

    private static Option<CodexToken> FromTokens(JsonNode? tokens, string source)
    {
        string? Text(string key) => tokens is JsonObject obj && obj[key] is JsonValue v && v.TryGetValue<string>(out var s) && !string.IsNullOrWhiteSpace(s) ? s.Trim() : null;
        var access = Text("access_token");
        if (access is null)
        {
            return None;
        }
        var account = CodexHeaders.accountId(access, Fs.Opt(Text("account_id")));
        return new CodexToken(access, account?.Value, source);
    }
}
