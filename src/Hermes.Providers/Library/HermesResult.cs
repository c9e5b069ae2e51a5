namespace Hermes;

/// <summary>
/// The outcome of a generate call: every image that was made (a path, or the URL when caching failed) and every failure.
/// <see cref="IsSuccess"/> means all asked-for images were made; a partial result keeps the images that were paid for.
/// </summary>
/// <param name="Images">The images made: absolute paths of local files (or http(s) URLs when caching failed).</param>
/// <param name="Failures">Every failure, one per image that was not made (or one for the whole call).</param>
/// <param name="Provider">The provider that ran (or would have), e.g. "xai".</param>
/// <param name="Model">The model sent to the provider.</param>
/// <param name="Prompt">The prompt as sent (trimmed).</param>
/// <param name="AspectRatio">landscape, square or portrait.</param>
/// <param name="Extras">What the provider reported besides the images (revised prompt, token usage under "usage", …); when the
/// provider returned more images than asked, <see cref="HermesClient.BeyondCount"/> says how many more (all are kept).</param>
public sealed record HermesResult(
    IReadOnlyList<string> Images,
    IReadOnlyList<HermesError> Failures,
    string? Provider,
    string? Model,
    string Prompt,
    string AspectRatio,
    IReadOnlyDictionary<string, object> Extras)
{
    /// <summary>Every asked-for image was made.</summary>
    public bool IsSuccess => Failures.Count == 0 && Images.Count > 0;

    /// <summary>Some images were made and some failed.</summary>
    public bool IsPartial => Failures.Count > 0 && Images.Count > 0;

    /// <summary>The first image, when there is one.</summary>
    public string? Image => Images.Count > 0 ? Images[0] : null;

    /// <summary>The first failure, when there is one.</summary>
    public HermesError? Error => Failures.Count > 0 ? Failures[0] : null;

    internal static HermesResult Failed(HermesError error, string prompt, string aspect, string? provider = null, string? model = null) =>
        new([], [error], provider, model, prompt, aspect, new Dictionary<string, object>());
}
