using Hermes.Domain;

namespace Hermes.Providers.Core;

/// <summary>Per-call options; unset ones come from config and the provider's defaults.</summary>
internal sealed record GenerateOptions
{
    public static readonly GenerateOptions Default = new();

    /// <summary>A model id from the provider's catalog; resolved from config when null.</summary>
    public string? Model { get; init; }

    /// <summary>xAI only: overrides image_gen.xai.resolution.</summary>
    public Resolution? Resolution { get; init; }

    /// <summary>OpenAI only: png, jpeg or webp.</summary>
    public string? OutputFormat { get; init; }

    /// <summary>FAL only: chain the Clarity upscaler (default: the model's own flag).</summary>
    public bool? Upscale { get; init; }

    public int? Seed { get; init; }

    /// <summary>Edit sources: local paths, http(s) URLs or data:image URLs; the first is the image to edit, the rest are references.</summary>
    public IReadOnlyList<string> Sources { get; init; } = [];

    /// <summary>A PNG with alpha, the size of the first source; where the model takes a mask.</summary>
    public string? Mask { get; init; }

    /// <summary>OpenAI edits only: high or low.</summary>
    public string? InputFidelity { get; init; }

    public IProgress<GenerationProgress>? Progress { get; init; }
}
