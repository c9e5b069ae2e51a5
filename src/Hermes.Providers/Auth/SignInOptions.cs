using Hermes.Domain;

namespace Hermes.Providers.Auth;

/// <summary>How `hermes auth add xai-oauth` talks to the user while it waits.</summary>
internal sealed record SignInOptions
{
    /// <summary>Opens the authorize URL; returns false when no browser could be opened (the URL is then shown).</summary>
    public Func<string, bool>? OpenBrowser { get; init; }

    /// <summary>Shows the authorize URL to the user.</summary>
    public Action<string> ShowUrl { get; init; } = _ => { };

    /// <summary>Tells the user why a pasted line was not accepted; the sign-in keeps waiting.</summary>
    public Action<string> ShowNotice { get; init; } = _ => { };

    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(3);

    /// <summary>0 asks for an ephemeral port at once.</summary>
    public int PreferredPort { get; init; } = RedirectUri.preferredPort;
}
