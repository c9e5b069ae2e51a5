using Hermes.Domain;
using Hermes.Providers.Core;
using LanguageExt;
using static LanguageExt.Prelude;

namespace Hermes.Providers.Auth;

public enum XaiCredentialSource
{
    Runtime,
    SignIn,
    Pool,
    ApiKey,
}

/// <summary>An xAI bearer and where it came from; OAuth-sourced ones carry their auth.json entry so a refresh rotates that entry only.</summary>
public sealed record XaiCredential(string Token, XaiCredentialSource Source, XaiOAuthEntry? Entry)
{
    public bool IsOAuth => Entry is not null;
}

/// <summary>The credential after a refresh, and whether this process rotated it (false: it adopted another process's rotation or the token was still fresh).</summary>
public sealed record XaiRefresh(XaiCredential Credential, bool Rotated);

/// <summary>
/// The xAI credential chain (runtime → signed-in singleton → pool → XAI_API_KEY) and token refresh.
/// A refresh runs under the auth.json lock and first re-reads the entry: when another process already rotated it,
/// its tokens are adopted instead of spending a refresh token that is no longer valid.
/// </summary>
public sealed class XaiTokenManager(HermesContext ctx, XaiOAuthClient oauth)
{
    public long SkewSeconds { get; init; } = TokenExpiry.defaultSkewSeconds;

    /// <summary>The first credential of the chain, without refreshing.</summary>
    public Option<XaiCredential> Peek()
    {
        if (!string.IsNullOrWhiteSpace(ctx.RuntimeXaiToken))
        {
            return new XaiCredential(ctx.RuntimeXaiToken.Trim(), XaiCredentialSource.Runtime, null);
        }
        var stored = ctx.Auth.Read().Map(XaiCredentialStore.Entries).IfLeft([]);
        var fromStore = stored.FirstOrDefault();
        if (fromStore is not null)
        {
            return new XaiCredential(fromStore.AccessToken, fromStore.IsSingleton ? XaiCredentialSource.SignIn : XaiCredentialSource.Pool, fromStore);
        }
        return ctx.Environment.Get("XAI_API_KEY").Map(key => new XaiCredential(key, XaiCredentialSource.ApiKey, null));
    }

    /// <summary>The chain's credential, refreshed first when its JWT expires within the skew.</summary>
    public async Task<Either<AuthError, Option<XaiCredential>>> ResolveAsync(CancellationToken ct)
    {
        var peeked = Peek();
        if (peeked.Case is XaiCredential { IsOAuth: true } credential &&
            TokenExpiry.isExpiring(ctx.NowUnixSeconds, SkewSeconds, credential.Token))
        {
            var refreshed = await RefreshAsync(credential, force: false, ct);
            return refreshed.Map(r => Some(r.Credential));
        }
        return Right<AuthError, Option<XaiCredential>>(peeked);
    }

    /// <summary>
    /// Rotates the tokens of the credential's own entry. With <paramref name="force"/> (after a 401) it refreshes unless
    /// the entry already holds a different access token; without it, only when the stored token is expiring.
    /// </summary>
    public Task<Either<AuthError, XaiRefresh>> RefreshAsync(XaiCredential stale, bool force, CancellationToken ct)
    {
        if (stale.Entry is not { } entry)
        {
            return Task.FromResult<Either<AuthError, XaiRefresh>>(AuthError.NotSignedIn);
        }
        return ctx.Auth.UpdateAsync<XaiRefresh>(async root =>
        {
            var found = XaiCredentialStore.Find(root, entry);
            if (found.Case is not XaiOAuthEntry current)
            {
                return AuthError.NotSignedIn;
            }
            var rotatedElsewhere = current.AccessToken != stale.Token;
            var expiring = TokenExpiry.isExpiring(ctx.NowUnixSeconds, SkewSeconds, current.AccessToken);
            if ((force && rotatedElsewhere && !expiring) || (!force && !expiring))
            {
                return (new XaiRefresh(CredentialOf(current), false), false);
            }
            var endpoint = current.TokenEndpoint;
            if (string.IsNullOrWhiteSpace(endpoint))
            {
                var discovered = await oauth.DiscoverAsync(ct);
                if (discovered.Case is AuthError discoveryError)
                {
                    return discoveryError;
                }
                endpoint = ((Discovery)discovered.Case!).TokenEndpoint;
            }
            var tokens = await oauth.RefreshAsync(endpoint, current.RefreshToken, ct);
            return tokens.Map(set =>
            {
                var updated = XaiCredentialStore.ApplyRefresh(root, current with { TokenEndpoint = endpoint }, set, Now());
                return (new XaiRefresh(CredentialOf(updated), true), true);
            });
        }, ct);
    }

    private string Now() => ctx.Clock.GetUtcNow().ToString("yyyy-MM-ddTHH:mm:ssZ");

    private static XaiCredential CredentialOf(XaiOAuthEntry entry) =>
        new(entry.AccessToken, entry.IsSingleton ? XaiCredentialSource.SignIn : XaiCredentialSource.Pool, entry);

    /// <summary>XAI_BASE_URL (or the default); an OAuth bearer is only ever sent to an allowlisted host.</summary>
    public string BaseUrlFor(XaiCredential credential, Action<string> warn)
    {
        var configured = ctx.Environment.Get("XAI_BASE_URL").Map(url => url.TrimEnd('/')).IfNone(XaiOAuth.apiBaseUrl);
        if (credential.Source is XaiCredentialSource.ApiKey || configured == XaiOAuth.apiBaseUrl)
        {
            return configured;
        }
        var allowed = HostAllowlist.check(ctx.EndpointPolicy, configured);
        if (allowed.IsOk)
        {
            return configured;
        }
        warn($"refusing XAI_BASE_URL '{configured}' for an xAI sign-in token ({allowed.ErrorValue.Reason}); using {XaiOAuth.apiBaseUrl}");
        return XaiOAuth.apiBaseUrl;
    }
}
