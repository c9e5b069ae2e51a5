using System.Text.Json.Nodes;
using Hermes.Domain;
using LanguageExt;
using static LanguageExt.Prelude;

namespace Hermes.Providers.Auth;

/// <summary>An xAI OAuth credential in auth.json: the signed-in singleton (source loopback_pkce) or a manual pool entry.</summary>
public sealed record XaiOAuthEntry(
    string Id, string Source, string Label, string AccessToken, string RefreshToken, string TokenEndpoint, string LastRefresh)
{
    public const string SingletonSource = "loopback_pkce";
    public const string ManualSource = "manual:xai_pkce";

    public bool IsSingleton => Source == SingletonSource;
}

/// <summary>
/// Reads and writes the reference-compatible layout: providers["xai-oauth"] holds the signed-in tokens and
/// credential_pool["xai-oauth"] holds numbered entries, the first of which mirrors the singleton.
/// </summary>
public static class XaiCredentialStore
{
    private const string Provider = "xai-oauth";

    private static string Text(JsonNode? node, string key) =>
        node is JsonObject obj && obj[key] is JsonValue value && value.TryGetValue<string>(out var text) ? text.Trim() : "";

    private static JsonObject Section(JsonObject root, string key)
    {
        if (root[key] is JsonObject existing)
        {
            return existing;
        }
        var created = new JsonObject();
        root[key] = created;
        return created;
    }

    private static JsonArray Pool(JsonObject root)
    {
        var pools = Section(root, "credential_pool");
        if (pools[Provider] is JsonArray existing)
        {
            return existing;
        }
        var created = new JsonArray();
        pools[Provider] = created;
        return created;
    }

    /// <summary>The signed-in singleton, when it has both tokens.</summary>
    public static Option<XaiOAuthEntry> Singleton(JsonObject root)
    {
        var state = root["providers"]?[Provider];
        var tokens = state?["tokens"];
        var access = Text(tokens, "access_token");
        var refresh = Text(tokens, "refresh_token");
        return access.Length == 0 || refresh.Length == 0
            ? None
            : new XaiOAuthEntry("singleton", XaiOAuthEntry.SingletonSource, "signed in", access, refresh,
                Text(state?["discovery"], "token_endpoint"), Text(state, "last_refresh"));
    }

    /// <summary>Numbered entries as `auth list` shows them: the singleton's mirror (seeded when missing), then manual entries.</summary>
    public static IReadOnlyList<XaiOAuthEntry> Entries(JsonObject root)
    {
        var pooled = (root["credential_pool"]?[Provider] as JsonArray ?? [])
            .OfType<JsonObject>()
            .Select(e => new XaiOAuthEntry(Text(e, "id"), Text(e, "source"), Text(e, "label"), Text(e, "access_token"),
                Text(e, "refresh_token"), Text(e, "token_endpoint"), Text(e, "last_refresh")))
            .Where(e => e.AccessToken.Length > 0)
            .ToList();
        var manual = pooled.Where(e => !e.IsSingleton);
        return Singleton(root).Match(s => manual.Prepend(s), () => manual).ToList();
    }

    /// <summary>Writes a new sign-in: the singleton when none exists (or replacing it), else a manual pool entry.</summary>
    public static XaiOAuthEntry AddSignIn(JsonObject root, TokenSet tokens, Discovery discovery, string redirectUri, string now, bool asSingleton)
    {
        if (asSingleton)
        {
            var providers = Section(root, "providers");
            providers[Provider] = new JsonObject
            {
                ["tokens"] = TokensNode(tokens),
                ["last_refresh"] = now,
                ["auth_mode"] = XaiOAuthEntry.SingletonSource,
                ["discovery"] = new JsonObject
                {
                    ["authorization_endpoint"] = discovery.AuthorizationEndpoint,
                    ["token_endpoint"] = discovery.TokenEndpoint,
                },
                ["redirect_uri"] = redirectUri,
            };
            root["active_provider"] ??= Provider;
            var entry = Singleton(root).IfNone(() => throw new InvalidOperationException("singleton just written"));
            UpsertPool(root, entry, XaiOAuth.apiBaseUrl);
            return entry;
        }
        var manual = new XaiOAuthEntry(Guid.NewGuid().ToString("N")[..6], XaiOAuthEntry.ManualSource, "manual",
            tokens.AccessToken, tokens.RefreshToken, discovery.TokenEndpoint, now);
        UpsertPool(root, manual, XaiOAuth.apiBaseUrl);
        return manual;
    }

    private static JsonObject TokensNode(TokenSet tokens)
    {
        var node = new JsonObject
        {
            ["access_token"] = tokens.AccessToken,
            ["refresh_token"] = tokens.RefreshToken,
            ["id_token"] = tokens.IdToken,
            ["token_type"] = tokens.TokenType,
        };
        if (tokens.ExpiresIn is { } expiresIn)
        {
            node["expires_in"] = expiresIn.Value;
        }
        return node;
    }

    private static void UpsertPool(JsonObject root, XaiOAuthEntry entry, string baseUrl)
    {
        var pool = Pool(root);
        var existing = pool.OfType<JsonObject>().FirstOrDefault(e =>
            entry.IsSingleton ? Text(e, "source") == XaiOAuthEntry.SingletonSource : Text(e, "id") == entry.Id);
        var node = existing ?? new JsonObject();
        node["id"] = entry.IsSingleton ? Text(existing, "id") is { Length: > 0 } id ? id : "signin" : entry.Id;
        node["label"] = entry.Label;
        node["auth_type"] = "oauth";
        node["priority"] = entry.IsSingleton ? 0 : pool.Count;
        node["source"] = entry.Source;
        node["access_token"] = entry.AccessToken;
        node["refresh_token"] = entry.RefreshToken;
        node["token_endpoint"] = entry.TokenEndpoint;
        node["base_url"] = baseUrl;
        node["last_refresh"] = entry.LastRefresh;
        if (existing is null)
        {
            pool.Add(node);
        }
    }

    /// <summary>Writes rotated tokens to the entry and, for the singleton, to providers["xai-oauth"] too; active_provider is left alone.</summary>
    public static XaiOAuthEntry ApplyRefresh(JsonObject root, XaiOAuthEntry entry, TokenSet tokens, string now)
    {
        var updated = entry with { AccessToken = tokens.AccessToken, RefreshToken = tokens.RefreshToken, LastRefresh = now };
        if (entry.IsSingleton && root["providers"]?[Provider] is JsonObject state)
        {
            state["tokens"] = TokensNode(tokens);
            state["last_refresh"] = now;
        }
        UpsertPool(root, updated, XaiOAuth.apiBaseUrl);
        return updated;
    }

    /// <summary>The current state of an entry after a fresh read (matched by source and id).</summary>
    public static Option<XaiOAuthEntry> Find(JsonObject root, XaiOAuthEntry entry) =>
        entry.IsSingleton ? Singleton(root) : Entries(root).Find(e => e.Id == entry.Id);

    /// <summary>Removes entry N (1-based); removing the singleton's entry clears providers["xai-oauth"] so it cannot come back.</summary>
    public static Either<string, XaiOAuthEntry> Remove(JsonObject root, int number)
    {
        var entries = Entries(root);
        if (number < 1 || number > entries.Count)
        {
            return entries.Count == 0
                ? $"invalid entry '{number}': there are no xai-oauth entries"
                : $"invalid entry '{number}': allowed values are 1 to {entries.Count}";
        }
        var target = entries[number - 1];
        var pool = Pool(root);
        foreach (var node in pool.OfType<JsonObject>().Where(e =>
                     target.IsSingleton ? Text(e, "source") == XaiOAuthEntry.SingletonSource : Text(e, "id") == target.Id).ToList())
        {
            pool.Remove(node);
        }
        if (target.IsSingleton && root["providers"] is JsonObject providers)
        {
            providers.Remove(Provider);
            if (Text(root, "active_provider") == Provider)
            {
                root.Remove("active_provider");
            }
        }
        return target;
    }
}
