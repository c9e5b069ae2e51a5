using Flurl.Http;
using Hermes.Domain;
using Hermes.Providers.Auth;
using Hermes.Providers.Cache;
using Hermes.Providers.Config;
using LanguageExt;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Hermes.Providers.Core;

/// <summary>Everything a provider needs from the outside world, passed in so tests can give each run its own home, env and clock.</summary>
public sealed class HermesContext
{
    public HermesContext(HermesEnvironment environment, HermesConfig config, IFlurlClient http, ILoggerFactory? logging = null, TimeProvider? clock = null)
    {
        Environment = environment;
        Config = config;
        Http = http;
        Logging = logging ?? NullLoggerFactory.Instance;
        Clock = clock ?? TimeProvider.System;
        Cache = new ImageCache(ImageCache.DirectoryIn(environment.HermesHome), http, Clock, Logging.CreateLogger<ImageCache>());
        Auth = new AuthStore(AuthStore.PathIn(environment.HermesHome), Logging.CreateLogger<AuthStore>());
    }

    public HermesEnvironment Environment { get; }
    public HermesConfig Config { get; }
    public IFlurlClient Http { get; }
    public ILoggerFactory Logging { get; }
    public TimeProvider Clock { get; }
    public ImageCache Cache { get; }
    public AuthStore Auth { get; }
    public string Home => Environment.HermesHome;

    /// <summary>Origins trusted besides *.x.ai for OAuth endpoints and the OAuth bearer; empty outside tests of a local fake.</summary>
    public EndpointPolicy EndpointPolicy { get; init; } = HostAllowlist.strict;

    /// <summary>Where xAI's OpenID configuration is read; it must pass <see cref="EndpointPolicy"/> like every other endpoint.</summary>
    public string XaiDiscoveryUrl { get; init; } = XaiOAuth.discoveryUrl;

    /// <summary>An xAI token handed over by the host application; first in the credential chain.</summary>
    public string? RuntimeXaiToken { get; init; }

    public long NowUnixSeconds => Clock.GetUtcNow().ToUnixTimeSeconds();

    /// <summary>An HTTP client for Hermes: no whole-call timeout (streams are timed per read), pooled connections.</summary>
    public static IFlurlClient CreateHttpClient()
    {
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromSeconds(30),
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            AutomaticDecompression = System.Net.DecompressionMethods.All,
            MaxConnectionsPerServer = 256,
        };
        return new FlurlClient(new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan });
    }

    /// <summary>The context of this process: its environment, $HERMES_HOME/config.yaml and a new HTTP client.</summary>
    /// <remarks>HERMES_XAI_OAUTH_ISSUER points sign-in at another *.x.ai issuer or at a local one on 127.0.0.1.</remarks>
    public static Either<HermesError, HermesContext> FromEnvironment(HermesEnvironment environment, ILoggerFactory? logging = null)
    {
        var issuer = environment.Get("HERMES_XAI_OAUTH_ISSUER").Map(XaiOAuth.issuerOverride);
        if (issuer.Case is Microsoft.FSharp.Core.FSharpResult<Tuple<string, EndpointPolicy>, BadValue> { IsError: true } bad)
        {
            return HermesError.Invalid(bad.ErrorValue);
        }
        return HermesConfig.Load(environment.HermesHome).MapLeft(problem => problem.ToHermesError()).Map(config =>
        {
            var context = new HermesContext(environment, config, CreateHttpClient(), logging);
            return issuer.Case is Microsoft.FSharp.Core.FSharpResult<Tuple<string, EndpointPolicy>, BadValue> { IsOk: true } ok
                ? context.WithIssuer(ok.ResultValue.Item1, ok.ResultValue.Item2)
                : context;
        });
    }

    private HermesContext WithIssuer(string discoveryUrl, EndpointPolicy policy) =>
        new(Environment, Config, Http, Logging, Clock)
        {
            XaiDiscoveryUrl = discoveryUrl,
            EndpointPolicy = policy,
            RuntimeXaiToken = RuntimeXaiToken,
        };
}
