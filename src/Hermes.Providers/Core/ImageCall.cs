using Hermes.Domain;

namespace Hermes.Providers.Core;

/// <summary>A validated call as a provider's own step receives it: trimmed prompt, resolved model, sources loaded and checked.</summary>
internal sealed record ImageCall(string Prompt, AspectRatio Aspect, string Model, GenerateOptions Options)
{
    /// <summary>The edit's sources in order (the first is the image to edit); empty for text-to-image.</summary>
    public IReadOnlyList<SourceImage> Sources { get; init; } = [];

    public SourceImage? Mask { get; init; }

    /// <summary>The output controls the provider validated for this model; what its builder puts on the wire.</summary>
    public OutputControls Controls { get; init; } = OutputControlsModule.none;

    public bool IsEdit => Sources.Count > 0;
}
