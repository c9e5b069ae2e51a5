using Hermes.Domain;
using Hermes.Providers.Cache;
using LanguageExt;
using Microsoft.Extensions.Logging;

namespace Hermes.Providers.Core;

/// <summary>
/// The steps every provider shares: validate (prompt, model) → the provider's own step → materialize into the cache → result.
/// Every failure leaves as a typed, sanitized, redacted error; only the caller's cancellation is an exception.
/// </summary>
public sealed class ProviderPipeline(HermesContext ctx)
{
    private readonly ILogger logger = ctx.Logging.CreateLogger<ProviderPipeline>();

    public async Task<ImageGenResult> RunAsync(IImageGenProvider provider, ProduceStep produce, string prompt, AspectRatio aspect, GenerateOptions options, CancellationToken ct)
    {
        var text = (prompt ?? "").Trim();
        var wire = AspectRatioModule.toWire(aspect);
        ImageGenResult Fail(HermesError error, string? model) =>
            new ImageGenResult.Failure(ctx.Secrets.Clean(error), provider.Name, model, text, wire);

        if (text.Length == 0)
        {
            return Fail(new HermesError(ErrorKind.InvalidArgument, "the prompt is empty: give a text prompt"), options.Model);
        }
        var chosen = ModelChoice.Resolve(ctx, provider.Catalog, options.Model, logger);
        return await chosen.MatchAsync(
            RightAsync: async model =>
            {
                var produced = await produce(new ImageCall(text, aspect, model, options), ct);
                var saved = await produced.BindAsync(p => MaterializeAsync(provider, model, p, options.Progress, ct));
                return saved.Match(
                    Right: result => new ImageGenResult.Success(result.Image, provider.Name, model, text, wire, result.Extras),
                    Left: error => Fail(error, model));
            },
            Left: error => Fail(error, options.Model));
    }

    /// <summary>The first image as a local file (or the bare URL when an allowed download failed), with its pixel size in the extras.</summary>
    private async Task<Either<HermesError, (string Image, IReadOnlyDictionary<string, object> Extras)>> MaterializeAsync(
        IImageGenProvider provider, string model, Produced produced, IProgress<GenerationProgress>? progress, CancellationToken ct)
    {
        if (produced.Images.Count == 0)
        {
            return new HermesError(ErrorKind.NoImage, $"{provider.DisplayName} returned no image");
        }
        var prefix = produced.CachePrefix ?? $"{provider.Name}_{model}";
        var saved = produced.Images[0] switch
        {
            ProducedImage.Encoded encoded => (await ctx.Cache.SaveBase64Async(encoded.Base64, prefix, ct)).Map(Prelude.Right<string, SavedImage>),
            ProducedImage.EncodedText text => (await ctx.Cache.SaveBase64Async(text.Base64, prefix, ct)).Map(Prelude.Right<string, SavedImage>),
            ProducedImage.Link link => await DownloadAsync(link.Url, prefix, progress, ct),
            _ => new HermesError(ErrorKind.NoImage, $"{provider.DisplayName} returned no image"),
        };
        return saved.Map(image => image.Match(
            Right: file => (file.Path, WithPixelSize(produced.Extras, file)),
            Left: url => (url, produced.Extras)));
    }

    private Task<Either<HermesError, Either<string, SavedImage>>> DownloadAsync(string url, string prefix, IProgress<GenerationProgress>? progress, CancellationToken ct)
    {
        progress?.Report(new GenerationProgress("downloading", Redact.Url(url)));
        return ctx.Cache.CacheOrFallbackAsync(url, prefix, ct);
    }

    private static IReadOnlyDictionary<string, object> WithPixelSize(IReadOnlyDictionary<string, object> extras, SavedImage file)
    {
        if (file.PixelSize is not { } size)
        {
            return extras;
        }
        return new Dictionary<string, object>(extras) { ["pixel_size"] = size };
    }
}
