namespace Hermes.Providers.Core;

/// <summary>The outcome of one generation: an image on disk (or its URL when caching failed), or a typed error.</summary>
internal abstract record ImageGenResult
{
    private ImageGenResult() { }

    public sealed record Success(
        string Image, string Provider, string Model, string Prompt, string AspectRatio,
        IReadOnlyDictionary<string, object> Extras) : ImageGenResult;

    public sealed record Failure(HermesError Error, string Provider, string? Model, string Prompt, string AspectRatio) : ImageGenResult
    {
        public string ErrorType => Error.ErrorType;
    }
}
