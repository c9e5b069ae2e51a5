namespace Hermes;

/// <summary>What a caller asks for; unset values come from config.yaml, the environment and the providers' defaults.</summary>
public sealed record HermesGenerateOptions
{
    /// <summary>Every value unset: one landscape image from the dispatched provider's default model.</summary>
    public static readonly HermesGenerateOptions Default = new();

    /// <summary>A registered provider name; overrides image_gen.provider.</summary>
    public string? Provider { get; init; }

    /// <summary>A model id of the chosen provider's catalog; must be valid.</summary>
    public string? Model { get; init; }

    /// <summary>landscape, square, portrait (default landscape), or an exact ratio W:H where the provider takes one.</summary>
    public string? AspectRatio { get; init; }

    /// <summary>xAI only: 1k or 2k.</summary>
    public string? Resolution { get; init; }

    /// <summary>
    /// How many images (1 to <see cref="HermesClient.MaxCount"/>): one request with the API's own n where the provider has it
    /// (OpenAI, xAI, OpenAI-compatible and Azure endpoints up to 10, FAL models with num_images up to the model's max; more are
    /// split into several requests), else concurrent requests of one image each (Codex, Gemini).
    /// </summary>
    public int Count { get; init; } = 1;

    /// <summary>A folder the cached files are also copied to.</summary>
    public string? OutputDirectory { get; init; }

    /// <summary>Edit sources (local paths, http(s) URLs, data:image URLs): the first is the image to edit, the rest are references.</summary>
    public IReadOnlyList<string> Sources { get; init; } = [];

    /// <summary>A PNG with alpha, the size of the first source, for providers that take a mask.</summary>
    public string? Mask { get; init; }

    /// <summary>OpenAI edits only: high or low.</summary>
    public string? InputFidelity { get; init; }

    /// <summary>auto or WxH: exact where the provider takes one (OpenAI, Codex, FAL image_size), else the nearest ratio and resolution (xAI, Gemini; reported in the extras).</summary>
    public string? Size { get; init; }

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

    /// <summary>Receives the steps of a long generation (queued, generating, downloading, …).</summary>
    public IProgress<GenerationProgress>? Progress { get; init; }
}
