using System.Security.Cryptography;
using Hermes.Domain;
using Hermes.Providers.Core;
using LanguageExt;
using static LanguageExt.Prelude;

namespace Hermes.Providers.Auth;

public sealed record SignInOptions
{
    /// <summary>Opens the authorize URL; returns false when no browser could be opened (the URL is then shown).</summary>
    public Func<string, bool>? OpenBrowser { get; init; }

    /// <summary>Shows the authorize URL to the user.</summary>
    public Action<string> ShowUrl { get; init; } = _ => { };

    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(3);

    /// <summary>0 asks for an ephemeral port at once.</summary>
    public int PreferredPort { get; init; } = RedirectUri.preferredPort;
}

/// <summary>A stored sign-in and its number in `hermes auth list`.</summary>
public sealed record SignInResult(int Number, XaiOAuthEntry Entry);

/// <summary>xAI (SuperGrok) sign-in: OAuth 2.0 authorization code with PKCE S256 through a loopback redirect, state and nonce checked.</summary>
public sealed class XaiSignIn(HermesContext ctx)
{
    private readonly XaiOAuthClient oauth = new(ctx);

    public async Task<Either<AuthError, SignInResult>> SignInAsync(SignInOptions options, CancellationToken ct)
    {
        var discovered = await oauth.DiscoverAsync(ct);
        if (discovered.Case is AuthError discoveryError)
        {
            return discoveryError;
        }
        var discovery = (Discovery)discovered.Case!;
        var pkce = Pkce.fromBytes(RandomNumberGenerator.GetBytes(32)).ResultValue;
        var state = Pkce.opaqueToken(RandomNumberGenerator.GetBytes(32)).ResultValue;
        var nonce = Pkce.opaqueToken(RandomNumberGenerator.GetBytes(32)).ResultValue;

        await using var server = LoopbackCallbackServer.Start(options.PreferredPort, query => XaiOAuth.evaluateCallback(state, query));
        var redirect = RedirectUri.validate(server.RedirectUri);
        if (redirect.IsError)
        {
            return AuthError.NewRedirectInvalid(redirect.ErrorValue);
        }
        var url = Pkce.authorizeUrl(new AuthorizeRequest(discovery.AuthorizationEndpoint, XaiOAuth.clientId, server.RedirectUri,
            XaiOAuth.scope, pkce.Challenge, state, nonce));
        if (options.OpenBrowser?.Invoke(url) != true)
        {
            options.ShowUrl(url);
        }

        var code = await server.WaitAsync(options.Timeout, ct);
        var exchanged = await code.BindAsync(c => oauth.ExchangeCodeAsync(discovery.TokenEndpoint, c, server.RedirectUri, pkce.Verifier, ct));
        var checkedTokens = exchanged.Bind(tokens =>
        {
            var nonceCheck = XaiOAuth.checkNonce(nonce, tokens.IdToken);
            return nonceCheck.IsOk ? Right<AuthError, TokenSet>(tokens) : Left<AuthError, TokenSet>(nonceCheck.ErrorValue);
        });
        return await checkedTokens.BindAsync(tokens => ctx.Auth.UpdateAsync<SignInResult>(root =>
        {
            var asSingleton = XaiCredentialStore.Singleton(root).IsNone;
            var now = ctx.Clock.GetUtcNow().ToString("yyyy-MM-ddTHH:mm:ssZ");
            var entry = XaiCredentialStore.AddSignIn(root, tokens, discovery, server.RedirectUri, now, asSingleton);
            var number = XaiCredentialStore.Entries(root).ToList().FindIndex(e => e.IsSingleton == entry.IsSingleton && (entry.IsSingleton || e.Id == entry.Id)) + 1;
            return Right<AuthError, (SignInResult, bool)>((new SignInResult(number, entry), true));
        }, ct));
    }
}
