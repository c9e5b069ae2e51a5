namespace Hermes.Providers.Core;

/// <summary>Whether a provider can run now, and what fixes it when it cannot.</summary>
public sealed record Availability(bool Available, string Reason)
{
    public static readonly Availability Ready = new(true, "ready");
    public static Availability Missing(string reason) => new(false, reason);
}
