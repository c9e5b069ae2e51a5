namespace Hermes.Providers.Core;

/// <summary>A stage of one generation as the provider reports it (queued with its position, generating, partial preview, downloading).</summary>
public sealed record GenerationProgress(string Stage, string Detail)
{
    /// <summary>Which of the call's images this is about, from 1; 0 when the reporter did not say.</summary>
    public int Image { get; init; }
}
