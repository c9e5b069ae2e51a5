namespace Hermes;

/// <summary>A step of a long generation, for a progress display.</summary>
/// <param name="Stage">The step: loading, queued, generating, partial, upscaling or downloading.</param>
/// <param name="Detail">One line about it for people.</param>
public sealed record GenerationProgress(string Stage, string Detail);
