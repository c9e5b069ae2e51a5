using Hermes.Providers.Core;

namespace Hermes.Providers.Library;

/// <summary>
/// The outcome of a generate call: every image that was made (a path, or the URL when caching failed) and every failure.
/// Success means all asked-for images were made; a partial result keeps the images that were paid for.
/// </summary>
public sealed record HermesResult(
    IReadOnlyList<string> Images,
    IReadOnlyList<HermesError> Failures,
    string? Provider,
    string? Model,
    string Prompt,
    string AspectRatio,
    IReadOnlyDictionary<string, object> Extras)
{
    public bool Success => Failures.Count == 0 && Images.Count > 0;

    /// <summary>Some images were made and some failed.</summary>
    public bool IsPartial => Failures.Count > 0 && Images.Count > 0;

    public string? Image => Images.Count > 0 ? Images[0] : null;

    /// <summary>The first failure, when there is one.</summary>
    public HermesError? Error => Failures.Count > 0 ? Failures[0] : null;

    public static HermesResult Failed(HermesError error, string prompt, string aspect, string? provider = null, string? model = null) =>
        new([], [error], provider, model, prompt, aspect, new Dictionary<string, object>());
}
