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

    /// <summary>auto or WxH: exact on OpenAI/Codex and FAL models with image_size, the nearest ratio and resolution on xAI and Gemini.</summary>
    public string? Size { get; init; }

    /// <summary>An exact aspect ratio W:H (xAI, Gemini, FAL models with aspect_ratio); the named aspect travels separately.</summary>
    public string? Ratio { get; init; }

    /// <summary>low, medium, high or auto (OpenAI, Codex, FAL models with quality).</summary>
    public string? Quality { get; init; }

    /// <summary>png, jpeg or webp (OpenAI, Codex, FAL).</summary>
    public string? OutputFormat { get; init; }

    /// <summary>0 to 100, with jpeg or webp (OpenAI, Codex).</summary>
    public int? Compression { get; init; }

    /// <summary>transparent (png or webp), opaque or auto (OpenAI, Codex).</summary>
    public string? Background { get; init; }

    /// <summary>low or auto (OpenAI, Codex).</summary>
    public string? Moderation { get; init; }

    /// <summary>FAL only: chain the Clarity upscaler (default: the model's own flag).</summary>
    public bool? Upscale { get; init; }

    /// <summary>FAL models with a seed, and Gemini.</summary>
    public int? Seed { get; init; }

    /// <summary>Edit sources: local paths, http(s) URLs or data:image URLs; the first is the image to edit, the rest are references.</summary>
    public IReadOnlyList<string> Sources { get; init; } = [];

    /// <summary>A PNG with alpha, the size of the first source; where the model takes a mask.</summary>
    public string? Mask { get; init; }

    /// <summary>OpenAI edits only: high or low.</summary>
    public string? InputFidelity { get; init; }

    /// <summary>How many images this one request asks for (ImageCount.requests split the count); 1 unless the provider counts natively.</summary>
    public int Images { get; init; } = 1;

    public IProgress<GenerationProgress>? Progress { get; init; }

    /// <summary>The output controls as the domain's validation reads them.</summary>
    public OutputRequest OutputRequest => new(
        Fs.Opt(Size), Fs.Opt(Ratio), Fs.Opt(Quality), Fs.Opt(OutputFormat), Fs.Opt(Compression), Fs.Opt(Background), Fs.Opt(Moderation), Fs.Opt(Seed));
}
