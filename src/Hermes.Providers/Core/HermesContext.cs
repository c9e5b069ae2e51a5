using Flurl.Http;
using Hermes.Domain;
using Hermes.Providers.Auth;
using Hermes.Providers.Cache;
using Hermes.Providers.Config;
using Hermes.Providers.Http;
using Hermes.Providers.Xai;
using LanguageExt;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Hermes.Providers.Core;

/// <summary>Everything a provider needs from the outside world, passed in so tests can give each run its own home, env and clock.</summary>
internal sealed class HermesContext
{
    private readonly Lazy<Network> network;

    public HermesContext(
        HermesEnvironment environment, HermesConfig config, ILoggerFactory? logging = null, TimeProvider? clock = null, TransportTimeouts? timeouts = null,
        XaiOptions? xai = null, AuthStore? auth = null)
    {
        Environment = environment;
        Config = config;
        Logging = logging ?? NullLoggerFactory.Instance;
        Clock = clock ?? TimeProvider.System;
        Xai = xai ?? XaiOptions.Default;
        // Built on first use: a context that only reads config never opens a connection.
        network = new Lazy<Network>(() =>
        {
            var trusted = TrustedOrigins.Of(TrustedOrigins.BaseUrlVariables
                .Select(name => environment.Get(name).IfNoneUnsafe((string?)null))
                .Concat(Xai.TrustedUrls)
                .Concat(config.Endpoints.Select(endpoint => endpoint.BaseUrl)));
            var http = GuardedHttp.CreateClient(trusted);
            return new Network(trusted, http, new ProviderTransport(http, Clock, timeouts ?? TransportTimeouts.Default),
                new ImageCache(ImageCache.DirectoryIn(environment.HermesHome), http, trusted, Clock, Logging.CreateLogger<ImageCache>()));
        });
        Auth = auth ?? new AuthStore(AuthStore.PathIn(environment.HermesHome), Logging.CreateLogger<AuthStore>());
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

    /// <summary>What the xAI provider and sign-in need beyond the rest: OAuth endpoints' policy, discovery URL, a host's token.</summary>
    public XaiOptions Xai { get; }

    public long NowUnixSeconds => Clock.GetUtcNow().ToUnixTimeSeconds();

    /// <summary>The context of this process: its environment, $HERMES_HOME/config.yaml and a new HTTP client.</summary>
    public static Either<HermesError, HermesContext> FromEnvironment(HermesEnvironment environment, ILoggerFactory? logging = null) =>
        HermesConfig.Load(environment.HermesHome).MapLeft(problem => problem.ToHermesError())
            .Bind(config => FromEnvironment(environment, config, logging));

    /// <summary>A context with this config and auth store; HERMES_XAI_OAUTH_ISSUER (when set) must be a valid issuer.</summary>
    public static Either<HermesError, HermesContext> FromEnvironment(
        HermesEnvironment environment, HermesConfig config, ILoggerFactory? logging, AuthStore? auth = null, TransportTimeouts? timeouts = null) =>
        XaiOptions.From(environment).Map(xai => new HermesContext(environment, config, logging, timeouts: timeouts, xai: xai, auth: auth));

    private sealed record Network(TrustedOrigins Trusted, IFlurlClient Http, ProviderTransport Transport, ImageCache Cache);
}
