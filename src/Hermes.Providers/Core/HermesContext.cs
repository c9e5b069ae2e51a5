using Flurl.Http;
using Hermes.Domain;
using Hermes.Providers.Auth;
using Hermes.Providers.Cache;
using Hermes.Providers.Config;
using Hermes.Providers.Http;
using LanguageExt;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Hermes.Providers.Core;

/// <summary>Everything a provider needs from the outside world, passed in so tests can give each run its own home, env and clock.</summary>
public sealed class HermesContext
{
    private readonly Lazy<Network> network;

    public HermesContext(HermesEnvironment environment, HermesConfig config, ILoggerFactory? logging = null, TimeProvider? clock = null, TransportTimeouts? timeouts = null)
    {
        Environment = environment;
        Config = config;
        Logging = logging ?? NullLoggerFactory.Instance;
        Clock = clock ?? TimeProvider.System;
        // Built on first use, after the init-only sign-in settings below are in place: they are trusted origins too.
        network = new Lazy<Network>(() =>
        {
            var trusted = TrustedOrigins.Of(TrustedOrigins.BaseUrlVariables
                .Select(name => environment.Get(name).IfNoneUnsafe((string?)null))
                .Concat(EndpointPolicy.TrustedOrigins)
                .Concat(config.Endpoints.Select(endpoint => endpoint.BaseUrl))
                .Append(XaiDiscoveryUrl));
            var http = GuardedHttp.CreateClient(trusted);
            return new Network(trusted, http, new ProviderTransport(http, Clock, timeouts ?? TransportTimeouts.Default),
                new ImageCache(ImageCache.DirectoryIn(environment.HermesHome), http, trusted, Clock, Logging.CreateLogger<ImageCache>()));
        });
        Auth = new AuthStore(AuthStore.PathIn(environment.HermesHome), Logging.CreateLogger<AuthStore>());
        Secrets = KnownSecrets.From(environment);
    }

    public HermesEnvironment Environment { get; }
    public HermesConfig Config { get; }
    public TrustedOrigins Trusted => network.Value.Trusted;
    public IFlurlClient Http => network.Value.Http;
    public ProviderTransport Transport => network.Value.Transport;
    public ILoggerFactory Logging { get; }
    public TimeProvider Clock { get; }
    public ImageCache Cache => network.Value.Cache;
    public AuthStore Auth { get; }
    public KnownSecrets Secrets { get; }
    public string Home => Environment.HermesHome;

    /// <summary>Origins trusted besides *.x.ai for OAuth endpoints and the OAuth bearer; empty outside tests of a local fake.</summary>
    public EndpointPolicy EndpointPolicy { get; init; } = HostAllowlist.strict;

    /// <summary>Where xAI's OpenID configuration is read; it must pass <see cref="EndpointPolicy"/> like every other endpoint.</summary>
    public string XaiDiscoveryUrl { get; init; } = XaiOAuth.discoveryUrl;

    /// <summary>An xAI token handed over by the host application; first in the credential chain.</summary>
    public string? RuntimeXaiToken { get; init; }

    public long NowUnixSeconds => Clock.GetUtcNow().ToUnixTimeSeconds();

    /// <summary>The context of this process: its environment, $HERMES_HOME/config.yaml and a new HTTP client.</summary>
    /// <remarks>HERMES_XAI_OAUTH_ISSUER points sign-in at another *.x.ai issuer or at a local one on 127.0.0.1.</remarks>
    public static Either<HermesError, HermesContext> FromEnvironment(HermesEnvironment environment, ILoggerFactory? logging = null)
    {
        var issuer = environment.Get("HERMES_XAI_OAUTH_ISSUER")
            .Map(XaiOAuth.issuerOverride)
            .Map(parsed => parsed.IsOk
                ? Prelude.Right<HermesError, Tuple<string, EndpointPolicy>>(parsed.ResultValue)
                : Prelude.Left<HermesError, Tuple<string, EndpointPolicy>>(HermesError.Invalid(parsed.ErrorValue)));
        return from config in HermesConfig.Load(environment.HermesHome).MapLeft(problem => problem.ToHermesError())
               from chosen in issuer.Sequence()
               select chosen.Match(
                   Some: found => new HermesContext(environment, config, logging)
                   {
                       XaiDiscoveryUrl = found.Item1,
                       EndpointPolicy = found.Item2,
                   },
                   None: () => new HermesContext(environment, config, logging));
    }

    private sealed record Network(TrustedOrigins Trusted, IFlurlClient Http, ProviderTransport Transport, ImageCache Cache);
}
