using Hermes.Domain;
using LanguageExt;
using Microsoft.Extensions.Logging;

namespace Hermes.Providers.Core;

public sealed record SetupEnvVar(string Key, string Prompt, string Url);

/// <summary>What the picker shows for a provider.</summary>
public sealed record SetupSchema(string Name, string Badge, string Tag, IReadOnlyList<SetupEnvVar> EnvVars);

/// <summary>A step of a long generation, for a progress display.</summary>
public sealed record GenerationProgress(string Stage, string Detail);

/// <summary>Per-call options; unset ones come from config and the provider's defaults.</summary>
public sealed record GenerateOptions
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

    public IProgress<GenerationProgress>? Progress { get; init; }
}

/// <summary>The outcome of one generation: an image on disk (or its URL when caching failed), or a typed error.</summary>
public abstract record ImageGenResult
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

/// <summary>One image backend. Implementations never throw for HTTP or provider errors; cancellation throws.</summary>
public interface IImageGenProvider
{
    string Name { get; }
    string DisplayName { get; }
    ProviderCatalog Catalog { get; }
    SetupSchema SetupSchema { get; }
    Availability IsAvailable();
    Task<ImageGenResult> GenerateAsync(string prompt, AspectRatio aspectRatio, GenerateOptions options, CancellationToken ct);
}

public static class ImageGenProviderExtensions
{
    public static IReadOnlyList<ModelInfo> ListModels(this IImageGenProvider provider) => provider.Catalog.Models.ToList();

    public static string DefaultModel(this IImageGenProvider provider) => provider.Catalog.DefaultModel;

    public static ImageGenResult.Failure Fail(this IImageGenProvider provider, HermesError error, string? model, string prompt, AspectRatio aspect) =>
        new(error, provider.Name, model, prompt, AspectRatioModule.toWire(aspect));

    /// <summary>The checks every call starts with: a non-empty prompt (trimmed) and a model of the catalog.</summary>
    public static Either<ImageGenResult.Failure, (string Prompt, string Model)> Prepare(
        this IImageGenProvider provider, HermesContext ctx, string prompt, AspectRatio aspect, GenerateOptions options, ILogger logger)
    {
        var text = (prompt ?? "").Trim();
        if (text.Length == 0)
        {
            return provider.Fail(new HermesError(ErrorKind.InvalidArgument, "the prompt is empty: give a text prompt"), options.Model, text, aspect);
        }
        return ModelChoice.Resolve(ctx, provider.Catalog, options.Model, logger)
            .Match(
                Right: model => Prelude.Right<ImageGenResult.Failure, (string, string)>((text, model)),
                Left: error => provider.Fail(error, options.Model, text, aspect));
    }
}
