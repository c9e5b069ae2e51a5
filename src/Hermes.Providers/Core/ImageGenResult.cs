namespace Hermes.Providers.Core;

/// <summary>The outcome of one generation: an image on disk (or its URL when caching failed), or a typed error.</summary>
internal abstract record ImageGenResult
{
    private ImageGenResult() { }

    /// <summary>At least one image made; <see cref="Image"/> is the first of <see cref="Images"/>.</summary>
    public sealed record Success(
        string Image, string Provider, string Model, string Prompt, string AspectRatio,
        IReadOnlyDictionary<string, object> Extras) : ImageGenResult
    {
        /// <summary>Every image of the request's answer, in the answer's order (more than asked when the provider sent more).</summary>
        public IReadOnlyList<string> Images { get; init; } = [Image];

        /// <summary>One error per image asked for that was not made: a short answer, or an image that could not be saved.</summary>
        public IReadOnlyList<HermesError> Missing { get; init; } = [];
    }

    public sealed record Failure(HermesError Error, string Provider, string? Model, string Prompt, string AspectRatio) : ImageGenResult
    {
        public string ErrorType => Error.ErrorType;
    }
}
