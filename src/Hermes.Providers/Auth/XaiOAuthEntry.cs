namespace Hermes.Providers.Auth;

/// <summary>An xAI OAuth credential in auth.json: the signed-in singleton (source loopback_pkce) or a manual pool entry.</summary>
internal sealed record XaiOAuthEntry(
    string Id, string Source, string Label, string AccessToken, string RefreshToken, string TokenEndpoint, string LastRefresh)
{
    public const string SingletonSource = "loopback_pkce";
    public const string ManualSource = "manual:xai_pkce";

    public bool IsSingleton => Source == SingletonSource;

    /// <summary>Its refresh was refused for good: the chain skips it until a new sign-in replaces its tokens.</summary>
    public bool Exhausted { get; init; }
}
