namespace Hermes;

/// <summary>A step of a long generation as the provider reports it, for a progress display.</summary>
/// <param name="Stage">The step: loading, queued (with its position), generating, partial, upscaling or downloading.</param>
/// <param name="Detail">One line about it for people.</param>
public sealed record GenerationProgress(string Stage, string Detail)
{
    /// <summary>Which of the call's images this is about, from 1; 0 when the reporter did not say.</summary>
    public int Image { get; init; }
}
