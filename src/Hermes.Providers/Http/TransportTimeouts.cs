namespace Hermes.Providers.Http;

/// <summary>How long a provider call may take: a total deadline (long enough for gpt-image-2 high) and the longest silence of a stream.</summary>
internal sealed record TransportTimeouts(TimeSpan Total, TimeSpan Idle)
{
    public static readonly TransportTimeouts Default = new(TimeSpan.FromSeconds(300), TimeSpan.FromSeconds(120));
}
