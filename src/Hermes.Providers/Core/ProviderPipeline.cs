using Hermes.Domain;
using Hermes.Providers.Cache;
using LanguageExt;
using Microsoft.Extensions.Logging;
using Microsoft.FSharp.Core;

namespace Hermes.Providers.Core;

/// <summary>
/// The steps every provider shares: validate (prompt, model, edit sources) → the provider's own step → materialize into the
/// cache → result. Edit sources are checked against the model's limits and loaded before any paid request.
/// Every failure leaves as a typed, sanitized, redacted error; only the caller's cancellation is an exception.
/// </summary>
internal sealed class ProviderPipeline(HermesContext ctx)
{
    // File systems that keep times to the second (or two, FAT) could date a concurrent image a little before the call began
    private static readonly TimeSpan FileTimeSlack = TimeSpan.FromSeconds(2);

    private readonly ILogger logger = ctx.Logging.CreateLogger<ProviderPipeline>();

    public async Task<ImageGenResult> RunAsync(IImageGenProvider provider, ProduceStep produce, string prompt, AspectRatio aspect, GenerateOptions options, CancellationToken ct)
    {
        // File-system time, as the cache's file times are: what concurrent calls write from now on is never pruned by this one
        var started = DateTime.UtcNow - FileTimeSlack;
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
                var controls = OutputControlsModule.forProvider(provider.OutputControlsAs, model, (options.Sources ?? []).Count > 0, options.OutputRequest);
                if (controls.IsError)
                {
                    return Fail(new HermesError(ErrorKind.InvalidArgument, controls.ErrorValue), model);
                }
                var asked = Math.Max(1, options.Images);
                var call = await PrepareAsync(provider, new ImageCall(text, aspect, model, options) { Controls = ImageCount.withImages(asked, controls.ResultValue) }, ct);
                var produced = await call.BindAsync(async c => (await produce(c, ct)).Map(p => WithCallExtras(p, c)));
                var sent = produced.Match(Right: p => p.Model ?? model, Left: _ => model);
                var price = call.Map(c => Prices.perImage(provider.Name, sent, aspect, c.IsEdit)).IfLeft(Estimate.NewUnknown("not sent"));
                var saved = await produced.BindAsync(p => MaterializeAsync(provider, sent, text, p, price, asked, started, options.Progress, ct));
                return saved.Match(
                    Right: result => new ImageGenResult.Success(result.Images[0], provider.Name, sent, text, wire, result.Extras)
                    {
                        Images = result.Images,
                        Missing = result.Missing,
                    },
                    Left: error => Fail(error, sent));
            },
            Left: error => Fail(error, options.Model));
    }

    /// <summary>An edit: the model's limits first, then every source and the mask loaded and checked, all before any request.</summary>
    private async Task<Either<HermesError, ImageCall>> PrepareAsync(IImageGenProvider provider, ImageCall call, CancellationToken ct)
    {
        var sources = call.Options.Sources ?? [];
        var mask = call.Options.Mask;
        var support = provider.EditSupportFor(call.Model) is { } found ? FSharpOption<EditSupport>.Some(found) : null;
        var allowed = EditCapability.checkSupport(support, provider.Name, call.Model, sources.Count, mask is not null);
        if (allowed.IsError)
        {
            return new HermesError(ErrorKind.InvalidArgument, allowed.ErrorValue);
        }
        if (sources.Count == 0)
        {
            return call;
        }
        var loader = new SourceLoader(ctx);
        // One source after another, stopping at the first that is refused: nothing is fetched after a refusal.
        var gathered = Prelude.Right<HermesError, Seq<SourceImage>>(Prelude.Empty);
        for (var i = 0; i < sources.Count && gathered.IsRight; i++)
        {
            var number = i + 1;
            call.Options.Progress?.Report(new GenerationProgress("loading", $"source image {number} of {sources.Count}"));
            var source = await loader.LoadAsync(sources[i], $"source image {number}", $"image-{number}", ct);
            gathered = gathered.Bind(earlier => source.Map(earlier.Add));
        }
        if (gathered.IsLeft)
        {
            return gathered.Map(_ => call);
        }
        var loaded = gathered.Match(Right: images => images.ToList(), Left: _ => []);
        if (mask is null)
        {
            return call with { Sources = loaded };
        }
        var maskImage = await loader.LoadAsync(mask, "the mask", "mask", ct);
        return maskImage.Bind(m =>
        {
            var fits = MaskRule.check(loaded[0].Info, m.Info);
            return fits.IsError
                ? Prelude.Left<HermesError, ImageCall>(new HermesError(ErrorKind.InvalidArgument, fits.ErrorValue))
                : call with { Sources = loaded, Mask = m };
        });
    }

    /// <summary>The source count of an edit and what the controls' mapping reports (the size asked for when the nearest was sent).</summary>
    private static Produced WithCallExtras(Produced produced, ImageCall call)
    {
        if (!call.IsEdit && call.Controls.Extras.IsEmpty)
        {
            return produced;
        }
        var extras = new Dictionary<string, object>(produced.Extras);
        if (call.IsEdit)
        {
            extras["source_count"] = call.Sources.Count;
        }
        foreach (var (key, value) in call.Controls.Extras)
        {
            extras[key] = value;
        }
        return produced with { Extras = extras };
    }

    /// <summary>Every image of the answer, saved in order (no generated image is lost, more than asked included): local files, or
    /// bare URLs when an allowed download failed; the first image's extras (with its pixel size); one error per image asked for
    /// and not made. An error when no image could be kept.</summary>
    private async Task<Either<HermesError, Materialized>> MaterializeAsync(
        IImageGenProvider provider, string model, string prompt, Produced produced, Estimate price, int asked, DateTime started,
        IProgress<GenerationProgress>? progress, CancellationToken ct)
    {
        if (produced.Images.Count == 0)
        {
            return new HermesError(ErrorKind.NoImage, $"{provider.DisplayName} returned no image");
        }
        var prefix = produced.CachePrefix ?? $"{provider.Name}_{model}";
        var images = new List<string>();
        var missing = new List<HermesError>();
        IReadOnlyDictionary<string, object>? firstExtras = null;
        for (var i = 0; i < produced.Images.Count; i++)
        {
            var one = await SaveOneAsync(provider, model, prompt, produced.Images[i], produced.ExtrasOf(i), prefix, price, progress, ct);
            one.Match(
                Right: kept =>
                {
                    images.Add(kept.Image);
                    firstExtras ??= kept.Extras;
                },
                Left: missing.Add);
        }
        PruneCache(images, started);
        if (produced.Images.Count < asked)
        {
            var shortfall = new HermesError(ErrorKind.NoImage, ImageCount.shortfall(provider.DisplayName, produced.Images.Count, asked));
            missing.AddRange(Enumerable.Repeat(shortfall, asked - produced.Images.Count));
        }
        return images.Count == 0 ? missing[0] : new Materialized(images, firstExtras!, missing);
    }

    /// <summary>The automatic prune, once every image of the answer is saved, sparing them all (a prune after each image
    /// could delete the ones before it) and whatever was written since the call began; a failure is a warning, never the call's.</summary>
    private void PruneCache(IReadOnlyList<string> kept, DateTime started)
    {
        try
        {
            new CacheFolder(ctx.Cache.Directory, logger).Prune(ctx.Clock.GetUtcNow().UtcDateTime, CacheFolder.LimitsIn(ctx.Home), kept, started);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            logger.LogWarning("could not prune the image cache: {Reason}", e.Message);
        }
    }

    private sealed record Materialized(IReadOnlyList<string> Images, IReadOnlyDictionary<string, object> Extras, IReadOnlyList<HermesError> Missing);

    /// <summary>One image as a local file with its sidecar (or the bare URL when an allowed download failed), its pixel size in the extras.</summary>
    private async Task<Either<HermesError, (string Image, IReadOnlyDictionary<string, object> Extras)>> SaveOneAsync(
        IImageGenProvider provider, string model, string prompt, ProducedImage image, IReadOnlyDictionary<string, object> extras, string prefix,
        Estimate price, IProgress<GenerationProgress>? progress, CancellationToken ct)
    {
        var saved = image switch
        {
            ProducedImage.Encoded encoded => (await ctx.Cache.SaveBase64Async(encoded.Base64, prefix, ct)).Map(Prelude.Right<string, SavedImage>),
            ProducedImage.EncodedText text => (await ctx.Cache.SaveBase64Async(text.Base64, prefix, ct)).Map(Prelude.Right<string, SavedImage>),
            ProducedImage.Link link => await DownloadAsync(link.Url, prefix, progress, ct),
            ProducedImage.Refused refused => refused.Error,
            _ => new HermesError(ErrorKind.NoImage, $"{provider.DisplayName} returned no image"),
        };
        return await saved.BindAsync(outcome => outcome.MatchAsync(
            RightAsync: async file =>
            {
                var withSize = WithPixelSize(extras, file);
                await new CacheFolder(ctx.Cache.Directory, logger).WriteSidecarAsync(file.Path, Describe(provider.Name, model, prompt, withSize, price), ct);
                return Kept(file.Path, withSize);
            },
            Left: url => Kept(url, extras)));
    }

    private static Either<HermesError, (string Image, IReadOnlyDictionary<string, object> Extras)> Kept(
        string image, IReadOnlyDictionary<string, object> extras) => (image, extras);

    private Provenance Describe(string provider, string model, string prompt, IReadOnlyDictionary<string, object> extras, Estimate price)
    {
        string? Text(string key) => extras.TryGetValue(key, out var value) ? value as string : null;
        var usage = extras.TryGetValue("usage", out var counts) && counts is IEnumerable<KeyValuePair<string, long>> pairs
            ? pairs.Select(kv => Tuple.Create(kv.Key, kv.Value))
            : [];
        return new Provenance(
            prompt,
            Fs.Opt(Text("revised_prompt")),
            provider,
            model,
            Fs.Opt(Text("pixel_size")),
            Fs.Opt(Text("request_id")),
            "",
            Microsoft.FSharp.Collections.ListModule.OfSeq(usage),
            ctx.Clock.GetUtcNow().UtcDateTime,
            extras.TryGetValue("source_count", out var sources) && sources is int n ? Microsoft.FSharp.Core.FSharpOption<int>.Some(n) : null,
            price is Estimate.Usd known ? Microsoft.FSharp.Core.FSharpOption<decimal>.Some(known.Item) : null);
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
