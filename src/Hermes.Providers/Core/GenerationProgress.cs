namespace Hermes.Providers.Core;

/// <summary>A step of a long generation, for a progress display.</summary>
public sealed record GenerationProgress(string Stage, string Detail);
