using Hermes.Domain;
using LanguageExt;

namespace Hermes.Providers.Xai;

/// <summary>The xAI-only knobs of the provider and of sign-in: where OAuth endpoints may live and a token the host hands over.</summary>
/// <param name="EndpointPolicy">Origins trusted besides *.x.ai for OAuth endpoints and the OAuth bearer; empty outside tests of a local fake.</param>
/// <param name="DiscoveryUrl">Where xAI's OpenID configuration is read; it must pass <paramref name="EndpointPolicy"/> like every other endpoint.</param>
/// <param name="RuntimeToken">An xAI token handed over by the host application; first in the credential chain.</param>
internal sealed record XaiOptions(EndpointPolicy EndpointPolicy, string DiscoveryUrl, string? RuntimeToken = null)
{
    public static readonly XaiOptions Default = new(HostAllowlist.strict, XaiOAuth.discoveryUrl);

    /// <summary>The origins these options add to the trusted ones: the policy's and the discovery URL's.</summary>
    public IEnumerable<string> TrustedUrls => EndpointPolicy.TrustedOrigins.Append(DiscoveryUrl);

    /// <summary>The defaults, or HERMES_XAI_OAUTH_ISSUER's issuer (another *.x.ai issuer or a local one on 127.0.0.1) when set.</summary>
    public static Either<HermesError, XaiOptions> From(Core.HermesEnvironment environment) =>
        environment.Get("HERMES_XAI_OAUTH_ISSUER").Match(
            Some: issuer =>
            {
                var parsed = XaiOAuth.issuerOverride(issuer);
                return parsed.IsOk
                    ? Prelude.Right<HermesError, XaiOptions>(Default with { DiscoveryUrl = parsed.ResultValue.Item1, EndpointPolicy = parsed.ResultValue.Item2 })
                    : Prelude.Left<HermesError, XaiOptions>(HermesError.Invalid(parsed.ErrorValue));
            },
            None: () => Default);
}
