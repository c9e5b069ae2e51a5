namespace Hermes.Providers.Auth;

/// <summary>A stored xAI sign-in as `hermes auth list` shows it: never the token, only a short prefix.</summary>
internal sealed record XaiAccountView(int Number, string Source, string Label, string TokenPrefix, DateTimeOffset? ExpiresAt, bool Expired, string LastRefresh)
{
    /// <summary>Its refresh was refused for good; `hermes auth add xai-oauth` replaces it.</summary>
    public bool Exhausted { get; init; }
}
