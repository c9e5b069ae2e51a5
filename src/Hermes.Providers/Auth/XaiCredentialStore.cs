using System.Text.Json.Nodes;
using Hermes.Domain;
using LanguageExt;
using static LanguageExt.Prelude;

namespace Hermes.Providers.Auth;

/// <summary>
/// Reads and writes the reference-compatible layout: providers["xai-oauth"] holds the signed-in tokens and
/// credential_pool["xai-oauth"] holds numbered entries, the first of which mirrors the singleton.
/// An entry whose refresh was refused for good carries the reference's markers: `last_auth_error` on the singleton,
/// `last_status: "exhausted"` on a pool entry.
/// </summary>
internal static class XaiCredentialStore
{
    private const string Provider = "xai-oauth";
    private const string ExhaustedStatus = "exhausted";

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

    private static Option<JsonObject> State(JsonObject root) => Optional(root["providers"]?[Provider] as JsonObject);

    private static JsonObject? PoolNode(JsonObject root, XaiOAuthEntry entry) =>
        (root["credential_pool"]?[Provider] as JsonArray ?? []).OfType<JsonObject>().FirstOrDefault(e =>
            entry.IsSingleton ? Text(e, "source") == XaiOAuthEntry.SingletonSource : Text(e, "id") == entry.Id);

    /// <summary>The signed-in singleton, when it has both tokens (exhausted or not).</summary>
    public static Option<XaiOAuthEntry> Singleton(JsonObject root) =>
        from state in State(root)
        let tokens = state["tokens"]
        let access = Text(tokens, "access_token")
        let refresh = Text(tokens, "refresh_token")
        where access.Length > 0 && refresh.Length > 0
        select new XaiOAuthEntry("singleton", XaiOAuthEntry.SingletonSource, "signed in", access, refresh,
            Text(state["discovery"], "token_endpoint"), Text(state, "last_refresh"))
        {
            Exhausted = state["last_auth_error"] is JsonObject,
        };

    /// <summary>A stored sign-in that lacks a token (and was not retired by a refused refresh): only a new sign-in fixes it.</summary>
    public static Option<AuthError> SingletonProblem(JsonObject root) =>
        from state in State(root)
        where state["last_auth_error"] is not JsonObject
        let tokens = state["tokens"]
        from missing in Text(tokens, "access_token").Length == 0 ? Some("access_token")
            : Text(tokens, "refresh_token").Length == 0 ? Some("refresh_token")
            : Option<string>.None
        select AuthError.NewMissingField(AuthStep.Store, missing);

    /// <summary>Numbered entries as `auth list` shows them: the singleton's mirror (seeded when missing), then manual entries.</summary>
    public static IReadOnlyList<XaiOAuthEntry> Entries(JsonObject root)
    {
        var pooled = (root["credential_pool"]?[Provider] as JsonArray ?? [])
            .OfType<JsonObject>()
            .Select(e => new XaiOAuthEntry(Text(e, "id"), Text(e, "source"), Text(e, "label"), Text(e, "access_token"),
                Text(e, "refresh_token"), Text(e, "token_endpoint"), Text(e, "last_refresh"))
            {
                Exhausted = Text(e, "last_status") == ExhaustedStatus,
            })
            .Where(e => e.AccessToken.Length > 0)
            .ToList();
        var manual = pooled.Where(e => !e.IsSingleton);
        return Singleton(root).Match(s => manual.Prepend(s), () => manual).ToList();
    }

    /// <summary>The entries the credential chain may use, in order.</summary>
    public static IReadOnlyList<XaiOAuthEntry> Usable(JsonObject root) => Entries(root).Where(e => !e.Exhausted).ToList();

    /// <summary>Whether a new sign-in should become the singleton: there is none that still works.</summary>
    public static bool NeedsSingleton(JsonObject root) => Singleton(root).Filter(s => !s.Exhausted).IsNone;

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
            var entry = new XaiOAuthEntry("singleton", XaiOAuthEntry.SingletonSource, "signed in", tokens.AccessToken,
                tokens.RefreshToken, discovery.TokenEndpoint, now);
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

    /// <summary>Writes an entry's fresh tokens to its pool node; fresh tokens lift any exhausted marker.</summary>
    private static void UpsertPool(JsonObject root, XaiOAuthEntry entry, string baseUrl)
    {
        var pool = Pool(root);
        var existing = PoolNode(root, entry);
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
        node.Remove("last_status");
        node.Remove("last_status_at");
        node.Remove("last_error_reason");
        if (existing is null)
        {
            // As a JsonNode: the generic Add<T> would wrap it in a JsonValue by reflection (not trim-safe).
            pool.Add((JsonNode)node);
        }
    }

    /// <summary>Writes rotated tokens to the entry and, for the singleton, to providers["xai-oauth"] too; active_provider is left alone.</summary>
    public static XaiOAuthEntry ApplyRefresh(JsonObject root, XaiOAuthEntry entry, TokenSet tokens, string now)
    {
        var updated = entry with { AccessToken = tokens.AccessToken, RefreshToken = tokens.RefreshToken, LastRefresh = now, Exhausted = false };
        if (entry.IsSingleton && root["providers"]?[Provider] is JsonObject state)
        {
            state["tokens"] = TokensNode(tokens);
            state["last_refresh"] = now;
            state.Remove("last_auth_error");
        }
        UpsertPool(root, updated, XaiOAuth.apiBaseUrl);
        return updated;
    }

    /// <summary>
    /// Retires an entry whose refresh was refused for good (its tokens stay for `auth list`); the chain skips it from now on.
    /// The singleton gets the reference's `last_auth_error`, every pool node of it `last_status: "exhausted"`.
    /// </summary>
    public static void MarkExhausted(JsonObject root, XaiOAuthEntry entry, AuthError error, DateTimeOffset now)
    {
        if (entry.IsSingleton && root["providers"]?[Provider] is JsonObject state)
        {
            state["last_auth_error"] = new JsonObject
            {
                ["provider"] = Provider,
                ["code"] = AuthErrorModule.code(error),
                ["reason"] = "runtime_refresh_failure",
                ["relogin_required"] = true,
                ["at"] = now.ToString("yyyy-MM-ddTHH:mm:ssZ"),
            };
        }
        if (PoolNode(root, entry) is { } node)
        {
            node["last_status"] = ExhaustedStatus;
            node["last_status_at"] = now.ToUnixTimeSeconds();
            node["last_error_reason"] = AuthErrorModule.code(error);
        }
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
