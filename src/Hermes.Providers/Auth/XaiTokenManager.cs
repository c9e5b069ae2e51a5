using System.Text.Json;
using System.Text.Json.Nodes;
using Hermes.Domain;
using Hermes.Providers.Core;
using LanguageExt;
using Microsoft.Extensions.Logging;
using static LanguageExt.Prelude;

namespace Hermes.Providers.Auth;

/// <summary>
/// The xAI credential chain (runtime → signed-in singleton → pool → XAI_API_KEY) and token refresh.
/// A refresh runs under the auth.json lock and first re-reads the entry: when another process already rotated it,
/// its tokens are adopted instead of spending a refresh token that is no longer valid. A refresh refused for good
/// retires the entry (exhausted) and the chain moves on to the next credential.
/// </summary>
internal sealed class XaiTokenManager(HermesContext ctx, XaiOAuthClient oauth)
{
    private const string BadCredentialsCode = "unauthenticated:bad-credentials";
    private readonly ILogger logger = ctx.Logging.CreateLogger<XaiTokenManager>();

    public long SkewSeconds { get; init; } = TokenExpiry.defaultSkewSeconds;

    /// <summary>The first usable credential of the chain, without refreshing; an unreadable auth.json counts as no sign-in here.</summary>
    public Option<XaiCredential> Peek() =>
        Runtime() || ctx.Auth.Read().Match(root => XaiCredentialStore.Usable(root).HeadOrNone().Map(CredentialOf), _ => None) || ApiKey();

    /// <summary>
    /// The chain's credential, refreshed first when its JWT expires within the skew. Errors: auth.json unusable; a stored
    /// sign-in missing a token, or every sign-in retired, with nothing after it in the chain (relogin required).
    /// </summary>
    public Task<Either<AuthError, Option<XaiCredential>>> ResolveAsync(CancellationToken ct) =>
        Runtime().Match(
            Some: runtime => Task.FromResult(Right<AuthError, Option<XaiCredential>>(Some(runtime))),
            None: () => ctx.Auth.Read().MapLeft(error => error.ToAuthError())
                .BindAsync(root => FromStoreAsync(root, NothingUsable(root), ct)));

    /// <summary>
    /// Whether an API answer opens the one refresh-and-retry: a 401, or a 403 whose body code is
    /// `unauthenticated:bad-credentials`, to an OAuth bearer. Spending-limit and entitlement 403s do not.
    /// </summary>
    public static bool OpensRefreshGate(XaiCredential used, int status, string body) =>
        used.IsOAuth && (status == 401 || (status == 403 && IsStaleTokenForbidden(body)));

    // Until XaiAuthGate.isStaleTokenForbidden lands in the domain: xAI's stale-token 403 names itself in `code`.
    private static bool IsStaleTokenForbidden(string body)
    {
        try
        {
            return JsonNode.Parse(body ?? "") is JsonObject root && root["code"] is JsonValue code &&
                   code.TryGetValue<string>(out var text) && string.Equals(text.Trim(), BadCredentialsCode, StringComparison.OrdinalIgnoreCase);
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>
    /// After the gate opened: the stale credential's entry refreshed, or, when that refresh is refused for good
    /// (e.g. invalid_grant), the entry marked exhausted and the next credential (next pool entry, then XAI_API_KEY).
    /// A passing failure (network, 5xx) is returned as it is and the tokens stay.
    /// </summary>
    public Task<Either<AuthError, XaiCredential>> RefreshOrFailoverAsync(XaiCredential stale, CancellationToken ct) =>
        RefreshOrFailoverAsync(stale, force: true, ct);

    private async Task<Either<AuthError, XaiCredential>> RefreshOrFailoverAsync(XaiCredential stale, bool force, CancellationToken ct)
    {
        var refreshed = await RefreshAsync(stale, force, ct);
        return await refreshed.Match(
            Right: r => Task.FromResult(Right<AuthError, XaiCredential>(r.Credential)),
            Left: error => stale.IsOAuth && AuthErrorModule.reloginRequired(error)
                ? FailoverAsync(stale, error, ct)
                : Task.FromResult(Left<AuthError, XaiCredential>(error)));
    }

    private async Task<Either<AuthError, XaiCredential>> FailoverAsync(XaiCredential stale, AuthError refused, CancellationToken ct)
    {
        var next = await ctx.Auth.Read().MapLeft(error => error.ToAuthError())
            .BindAsync(root => FromStoreAsync(root, Left<AuthError, Option<XaiCredential>>(refused), ct));
        return next.Bind(found => found.ToEither(refused)).Do(credential =>
            logger.LogWarning("{Warning}", $"the xAI {Describe(stale)} was refused when refreshed ({AuthErrorModule.code(refused)}); " +
                $"using the {Describe(credential)} instead. Run `hermes auth add xai-oauth` to sign in again."));
    }

    /// <summary>
    /// The first usable stored entry (refreshed when expiring), else XAI_API_KEY, else <paramref name="nothing"/>.
    /// A broken sign-in that another credential stands in for is warned about, so it is not silently forgotten.
    /// </summary>
    private async Task<Either<AuthError, Option<XaiCredential>>> FromStoreAsync(
        JsonObject root, Either<AuthError, Option<XaiCredential>> nothing, CancellationToken ct)
    {
        var found = await XaiCredentialStore.Usable(root).HeadOrNone().Map(CredentialOf).MatchAsync(
            Some: async credential => TokenExpiry.isExpiring(ctx.NowUnixSeconds, SkewSeconds, credential.Token)
                ? (await RefreshOrFailoverAsync(credential, force: false, ct)).Map(Some)
                : Right<AuthError, Option<XaiCredential>>(Some(credential)),
            None: () => ApiKey().Match(key => Right<AuthError, Option<XaiCredential>>(Some(key)), () => nothing));
        return found.Do(credential => credential.Iter(_ => XaiCredentialStore.SingletonProblem(root).Iter(problem =>
            logger.LogWarning("{Warning}", AuthErrorModule.message(problem)))));
    }

    /// <summary>Why the chain has no credential: a broken sign-in or retired ones need a new sign-in; none at all is not an error.</summary>
    private static Either<AuthError, Option<XaiCredential>> NothingUsable(JsonObject root) =>
        XaiCredentialStore.SingletonProblem(root).Match(
            Some: problem => Left<AuthError, Option<XaiCredential>>(problem),
            None: () => XaiCredentialStore.Entries(root).Count > 0
                ? Left<AuthError, Option<XaiCredential>>(AuthError.NotSignedIn)
                : Right<AuthError, Option<XaiCredential>>(None));

    /// <summary>
    /// Rotates the tokens of the credential's own entry. With <paramref name="force"/> (after the gate opened) it refreshes
    /// unless the entry already holds a different access token; without it, only when the stored token is expiring.
    /// A refresh refused for good marks the entry exhausted.
    /// </summary>
    public async Task<Either<AuthError, XaiRefresh>> RefreshAsync(XaiCredential stale, bool force, CancellationToken ct)
    {
        if (stale.Entry is not { } entry)
        {
            return AuthError.NotSignedIn;
        }
        var outcome = await ctx.Auth.UpdateAsync<Either<AuthError, XaiRefresh>>(root =>
            XaiCredentialStore.Find(root, entry).Filter(current => !current.Exhausted).MatchAsync(
                Some: current => RefreshUnderLockAsync(root, stale, current, force, ct),
                None: () => Unchanged(AuthError.NotSignedIn)), ct);
        return outcome.Bind(refresh => refresh);
    }

    private async Task<Either<AuthError, (Either<AuthError, XaiRefresh>, bool)>> RefreshUnderLockAsync(
        JsonObject root, XaiCredential stale, XaiOAuthEntry current, bool force, CancellationToken ct)
    {
        var rotatedElsewhere = current.AccessToken != stale.Token;
        var expiring = TokenExpiry.isExpiring(ctx.NowUnixSeconds, SkewSeconds, current.AccessToken);
        if ((force && rotatedElsewhere && !expiring) || (!force && !expiring))
        {
            return Unchanged(Right<AuthError, XaiRefresh>(new XaiRefresh(CredentialOf(current), false)));
        }
        var endpoint = string.IsNullOrWhiteSpace(current.TokenEndpoint)
            ? oauth.DiscoverAsync(ct).ToAsync().Map(discovery => discovery.TokenEndpoint)
            : RightAsync<AuthError, string>(current.TokenEndpoint);
        var tokens = await (
            from url in endpoint
            from set in oauth.RefreshAsync(url, current.RefreshToken, ct).ToAsync()
            select (Url: url, Set: set)).ToEither();
        return tokens.Match(
            Right: fresh =>
            {
                var updated = XaiCredentialStore.ApplyRefresh(root, current with { TokenEndpoint = fresh.Url }, fresh.Set, Now());
                return Changed(Right<AuthError, XaiRefresh>(new XaiRefresh(CredentialOf(updated), true)));
            },
            Left: error =>
            {
                if (!AuthErrorModule.reloginRequired(error))
                {
                    return Unchanged(error);
                }
                XaiCredentialStore.MarkExhausted(root, current, error, ctx.Clock.GetUtcNow());
                return Changed(error);
            });
    }

    private static Either<AuthError, (Either<AuthError, XaiRefresh>, bool)> Unchanged(Either<AuthError, XaiRefresh> result) => (result, false);

    private static Either<AuthError, (Either<AuthError, XaiRefresh>, bool)> Changed(Either<AuthError, XaiRefresh> result) => (result, true);

    private string Now() => ctx.Clock.GetUtcNow().ToString("yyyy-MM-ddTHH:mm:ssZ");

    private Option<XaiCredential> Runtime() =>
        Optional(ctx.Xai.RuntimeToken).Filter(t => !string.IsNullOrWhiteSpace(t))
            .Map(t => new XaiCredential(t.Trim(), XaiCredentialSource.Runtime, null));

    private Option<XaiCredential> ApiKey() =>
        ctx.Environment.Get("XAI_API_KEY").Map(key => new XaiCredential(key, XaiCredentialSource.ApiKey, null));

    private static XaiCredential CredentialOf(XaiOAuthEntry entry) =>
        new(entry.AccessToken, entry.IsSingleton ? XaiCredentialSource.SignIn : XaiCredentialSource.Pool, entry);

    private static string Describe(XaiCredential credential) => credential.Source switch
    {
        XaiCredentialSource.SignIn => "sign-in",
        XaiCredentialSource.Pool => $"pool entry {credential.Entry?.Id}",
        XaiCredentialSource.ApiKey => "XAI_API_KEY",
        _ => "runtime token",
    };

    /// <summary>
    /// The API base for a credential. XAI_API_KEY: XAI_BASE_URL or the default. An OAuth bearer: HERMES_XAI_BASE_URL, then
    /// XAI_BASE_URL, then the default, and only ever an allowlisted host; a refused override is warned about and not used.
    /// </summary>
    public string BaseUrlFor(XaiCredential credential, Action<string> warn)
    {
        if (credential.Source is XaiCredentialSource.ApiKey)
        {
            return ctx.Environment.Get("XAI_BASE_URL").Map(url => url.TrimEnd('/')).IfNone(XaiOAuth.apiBaseUrl);
        }
        var configured = ctx.Environment.Get("HERMES_XAI_BASE_URL").Map(url => (Name: "HERMES_XAI_BASE_URL", Url: url))
            || ctx.Environment.Get("XAI_BASE_URL").Map(url => (Name: "XAI_BASE_URL", Url: url));
        return configured.Match(
            Some: named =>
            {
                var url = named.Url.TrimEnd('/');
                return HostAllowlist.check(ctx.Xai.EndpointPolicy, url).ToEither().Match(
                    Right: allowed => allowed,
                    Left: rejection =>
                    {
                        warn($"refusing {named.Name} '{TerminalText.sanitizeWith(200, Redact.Url(url))}' for an xAI sign-in token " +
                             $"({rejection.Reason}); using {XaiOAuth.apiBaseUrl}");
                        return XaiOAuth.apiBaseUrl;
                    });
            },
            None: () => XaiOAuth.apiBaseUrl);
    }
}
