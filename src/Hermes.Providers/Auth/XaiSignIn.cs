using System.Security.Cryptography;
using Hermes.Domain;
using Hermes.Providers.Core;
using LanguageExt;
using static LanguageExt.Prelude;

namespace Hermes.Providers.Auth;

/// <summary>
/// xAI (SuperGrok) sign-in: OAuth 2.0 authorization code with PKCE S256 through a loopback redirect, state and nonce checked.
/// Headless (SSH, containers): the same flow also takes the redirect URL, or the code, pasted as a line of text.
/// </summary>
internal sealed class XaiSignIn(HermesContext ctx)
{
    private readonly XaiOAuthClient oauth = new(ctx);

    /// <summary>Signs in through the browser and the loopback callback only.</summary>
    public Task<Either<AuthError, SignInResult>> SignInAsync(SignInOptions options, CancellationToken ct) =>
        SignInAsync(options, TextReader.Null, ct);

    /// <summary>
    /// Signs in through whichever answers first: the loopback callback, or a line read from <paramref name="pasted"/>
    /// (stdin in the CLI) holding the redirect URL, its query, or the bare code. A pasted URL must carry this sign-in's
    /// state exactly like a callback; other lines are reported through <see cref="SignInOptions.ShowNotice"/> and skipped.
    /// </summary>
    public async Task<Either<AuthError, SignInResult>> SignInAsync(SignInOptions options, TextReader pasted, CancellationToken ct)
    {
        var discovered = await oauth.DiscoverAsync(ct);
        return await discovered.BindAsync(discovery => WithCallbackAsync(discovery, options, pasted, ct));
    }

    private async Task<Either<AuthError, SignInResult>> WithCallbackAsync(
        Discovery discovery, SignInOptions options, TextReader pasted, CancellationToken ct)
    {
        var pkce = Pkce.fromBytes(RandomNumberGenerator.GetBytes(32)).ResultValue;
        var state = Pkce.opaqueToken(RandomNumberGenerator.GetBytes(32)).ResultValue;
        var nonce = Pkce.opaqueToken(RandomNumberGenerator.GetBytes(32)).ResultValue;
        return await LoopbackCallbackServer.Start(options.PreferredPort, state).BindAsync(async server =>
        {
            await using (server)
            {
                var redirect = server.RedirectUri;
                var flow =
                    from _ in RedirectUri.validate(redirect).ToEither().MapLeft(AuthError.NewRedirectInvalid).ToAsync()
                    let url = Pkce.authorizeUrl(new AuthorizeRequest(discovery.AuthorizationEndpoint, XaiOAuth.clientId, redirect,
                        XaiOAuth.scope, pkce.Challenge, state, nonce))
                    from code in AwaitCodeAsync(server, url, state, options, pasted, ct).ToAsync()
                    from tokens in oauth.ExchangeCodeAsync(discovery.TokenEndpoint, code, redirect, pkce.Verifier, ct).ToAsync()
                    from nonceChecked in XaiOAuth.checkNonce(nonce, tokens.IdToken).ToEither().ToAsync()
                    from stored in StoreAsync(tokens, discovery, redirect, ct).ToAsync()
                    select stored;
                return await flow.ToEither();
            }
        });
    }

    private static async Task<Either<AuthError, string>> AwaitCodeAsync(
        LoopbackCallbackServer server, string url, string state, SignInOptions options, TextReader pasted, CancellationToken ct)
    {
        if (options.OpenBrowser?.Invoke(url) != true)
        {
            options.ShowUrl(url);
        }
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        // A console reader blocks its thread until a line comes, so it reads on its own.
        var fromPaste = Task.Run(() => ReadPastedAsync(pasted, state, options.ShowNotice, stop.Token), stop.Token);
        var timeout = Task.Delay(options.Timeout, stop.Token);
        var first = await Task.WhenAny(server.Callback, fromPaste, timeout);
        await stop.CancelAsync();
        ct.ThrowIfCancellationRequested();
        return first == timeout ? AuthError.NewTimeout(AuthStep.Callback)
            : first == server.Callback ? await server.Callback
            : await fromPaste;
    }

    private static async Task<Either<AuthError, string>> ReadPastedAsync(TextReader pasted, string state, Action<string> notice, CancellationToken ct)
    {
        var line = await pasted.ReadLineAsync(ct);
        if (line is null)
        {
            // End of input: only the loopback can answer now.
            return await new TaskCompletionSource<Either<AuthError, string>>().Task.WaitAsync(ct);
        }
        return await OAuthCallback.outcome(OAuthCallback.parsePasted(state, line)).ToEither().Match(
            Right: finished => Task.FromResult(finished.ToEither()),
            Left: reason =>
            {
                notice(reason);
                return ReadPastedAsync(pasted, state, notice, ct);
            });
    }

    /// <summary>The first working sign-in becomes the singleton (replacing a retired or broken one); later ones are numbered pool entries.</summary>
    private Task<Either<AuthError, SignInResult>> StoreAsync(TokenSet tokens, Discovery discovery, string redirectUri, CancellationToken ct) =>
        ctx.Auth.UpdateAsync<SignInResult>(root =>
        {
            var now = ctx.Clock.GetUtcNow().ToString("yyyy-MM-ddTHH:mm:ssZ");
            var entry = XaiCredentialStore.AddSignIn(root, tokens, discovery, redirectUri, now, XaiCredentialStore.NeedsSingleton(root));
            var number = XaiCredentialStore.Entries(root).ToList()
                .FindIndex(e => e.IsSingleton == entry.IsSingleton && (entry.IsSingleton || e.Id == entry.Id)) + 1;
            return Right<AuthError, (SignInResult, bool)>((new SignInResult(number, entry), true));
        }, ct);
}
