using Hermes.Domain;
using Hermes.Providers.Core;
using Hermes.Providers.Http;
using LanguageExt;
using Microsoft.FSharp.Core;

namespace Hermes.Providers.Auth;

/// <summary>The HTTP half of xAI OAuth: discovery, code exchange and refresh. Every endpoint passes the host allowlist before a byte is sent.</summary>
internal sealed class XaiOAuthClient(HermesContext ctx)
{
    private const string Label = "xAI accounts";
    private const long AnswerLimit = 1024 * 1024;

    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(20);

    public async Task<Either<AuthError, Discovery>> DiscoverAsync(CancellationToken ct)
    {
        var checkedUrl = HostAllowlist.check(ctx.Xai.EndpointPolicy, ctx.Xai.DiscoveryUrl);
        if (checkedUrl.IsError)
        {
            return AuthError.NewHostileEndpoint(checkedUrl.ErrorValue);
        }
        var answer = await Send(AuthStep.Discovery, HttpCall.Get(ctx.Xai.DiscoveryUrl, Label), ct);
        return answer.Bind(a => XaiOAuth.parseDiscovery(ctx.Xai.EndpointPolicy, a.Status, a.Text).ToEither());
    }

    public Task<Either<AuthError, TokenSet>> ExchangeCodeAsync(string tokenEndpoint, string code, string redirectUri, string verifier, CancellationToken ct) =>
        PostFormAsync(AuthStep.TokenExchange, tokenEndpoint, new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["code"] = code,
            ["redirect_uri"] = redirectUri,
            ["client_id"] = XaiOAuth.clientId,
            ["code_verifier"] = verifier,
        }, FSharpOption<string>.None, ct);

    public Task<Either<AuthError, TokenSet>> RefreshAsync(string tokenEndpoint, string refreshToken, CancellationToken ct) =>
        string.IsNullOrWhiteSpace(refreshToken)
            ? Task.FromResult<Either<AuthError, TokenSet>>(AuthError.NewMissingField(AuthStep.Store, "refresh_token"))
            : PostFormAsync(AuthStep.Refresh, tokenEndpoint, new Dictionary<string, string>
            {
                ["grant_type"] = "refresh_token",
                ["refresh_token"] = refreshToken,
                ["client_id"] = XaiOAuth.clientId,
            }, FSharpOption<string>.Some(refreshToken), ct);

    private async Task<Either<AuthError, TokenSet>> PostFormAsync(
        AuthStep step, string endpoint, Dictionary<string, string> form, FSharpOption<string> previousRefresh, CancellationToken ct)
    {
        var checkedUrl = HostAllowlist.check(ctx.Xai.EndpointPolicy, endpoint);
        if (checkedUrl.IsError)
        {
            return AuthError.NewHostileEndpoint(checkedUrl.ErrorValue);
        }
        var answer = await Send(step, new HttpCall(HttpMethod.Post, endpoint, Label) { Content = () => new FormUrlEncodedContent(form) }, ct);
        return answer.Bind(a => XaiOAuth.parseTokens(step, previousRefresh, a.Status, a.Text).ToEither());
    }

    private async Task<Either<AuthError, HttpAnswer>> Send(AuthStep step, HttpCall call, CancellationToken ct)
    {
        var answer = await ctx.Transport.SendAsync(call.WithHeader("Accept", "application/json") with { Deadline = Timeout, BodyLimit = AnswerLimit }, ct);
        return answer.MapLeft(error => error.Kind.IsTimeout ? AuthError.NewTimeout(step) : AuthError.NewNetwork(step, error.Message));
    }
}
