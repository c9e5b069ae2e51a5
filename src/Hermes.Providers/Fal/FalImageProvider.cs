using System.Text.Json.Nodes;
using Hermes.Domain;
using Hermes.Providers.Core;
using LanguageExt;
using Microsoft.Extensions.Logging;

namespace Hermes.Providers.Fal;

/// <summary>FAL.ai: the 21-model catalog through the queue API, directly with FAL_KEY or through the Nous gateway; optional Clarity upscaling.</summary>
internal sealed class FalImageProvider(HermesContext ctx) : IImageGenProvider
{
    private readonly ProviderPipeline pipeline = new(ctx);
    private readonly ILogger logger = ctx.Logging.CreateLogger<FalImageProvider>();

    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(500);
    public TimeSpan QueueTimeout { get; init; } = TimeSpan.FromMinutes(10);

    public string Name => "fal";
    public string DisplayName => Catalog.DisplayName;
    public ProviderCatalog Catalog => FalCatalog.catalog;

    public SetupSchema SetupSchema => new("FAL.ai", "paid",
        "21 models (FLUX 2, Nano Banana, Ideogram, Seedream, Qwen, Recraft, …) with FAL_KEY or the Nous tool gateway",
        [new SetupEnvVar("FAL_KEY", "FAL API key", "https://fal.ai/dashboard/keys")]);

    private const string MissingFix = "FAL needs FAL_KEY (https://fal.ai/dashboard/keys) or a Nous tool-gateway sign-in (TOOL_GATEWAY_USER_TOKEN)";

    public Availability IsAvailable() => FalRouting.Route(ctx).IsUnavailable ? Availability.NewMissing(MissingFix) : Availability.Ready;

    public Task<ImageGenResult> GenerateAsync(string prompt, AspectRatio aspectRatio, GenerateOptions options, CancellationToken ct) =>
        pipeline.RunAsync(this, ProduceAsync, prompt, aspectRatio, options, ct);

    private async Task<Either<HermesError, Produced>> ProduceAsync(ImageCall call, CancellationToken ct)
    {
        var model = FalCatalog.tryModel(call.Model).Value;
        if (FalRouting.Endpoint(ctx) is not { } endpoint)
        {
            return new HermesError(ErrorKind.NotAvailable, MissingFix);
        }
        ctx.Secrets.Add(endpoint.Key);
        var queue = new FalQueueClient(ctx, endpoint) { PollInterval = PollInterval, QueueTimeout = QueueTimeout };
        var overrides = FalPayload.ofControls(call.Controls);

        // An edit goes to the model's edit endpoint (the pipeline has checked it has one); local files travel as data URIs.
        var edit = call.IsEdit ? model.Edit.Value : null;
        var payload = edit is null
            ? FalPayload.build(model, call.Prompt, call.Aspect, overrides)
            : EditRequests.fal(model, edit, call.Prompt, call.Aspect, overrides,
                Microsoft.FSharp.Collections.ListModule.OfSeq(call.Sources.Select(source => source.UrlForProvider)), Fs.Opt(call.Mask?.UrlForProvider));
        var generated = await queue.RunAsync(edit?.Endpoint ?? call.Model, payload, call.Options.Progress, ct);
        var images = generated.Bind(result => ImagesOf(result, result["images"]));
        // The model's own upscale flag is for text-to-image; an edit is upscaled only when the caller asks.
        var upscale = edit is null ? call.Options.Upscale ?? model.Upscale : call.Options.Upscale == true;
        return await images.MapAsync(async found =>
        {
            var kept = new List<ProducedImage>();
            var upscaledAny = false;
            foreach (var image in found)
            {
                var upscaled = upscale && image is ProducedImage.Link link ? await UpscaleAsync(queue, link.Url, call, ct) : Option<string>.None;
                upscaledAny |= upscaled.IsSome;
                kept.Add(upscaled.Match(Some: url => new ProducedImage.Link(url), None: () => image));
            }
            var extras = new Dictionary<string, object> { ["route"] = endpoint.RouteName, ["upscaled"] = upscaledAny };
            if (edit is not null)
            {
                extras["edit_endpoint"] = edit.Endpoint;
            }
            return new Produced(kept, extras);
        });
    }

    /// <summary>The Clarity upscale of the image; on failure the original is kept, never lost.</summary>
    private async Task<Option<string>> UpscaleAsync(FalQueueClient queue, string url, ImageCall call, CancellationToken ct)
    {
        call.Options.Progress?.Report(new GenerationProgress("upscaling", FalPayload.upscalerModel));
        var upscale = await queue.RunAsync(FalPayload.upscalerModel, FalPayload.upscale(url, call.Prompt), call.Options.Progress, ct);
        var upscaledUrl = upscale
            .Bind(result => ImagesOf(result, result["image"] is JsonNode image ? new JsonArray(image.DeepClone()) : null))
            .Bind(images => images[0] is ProducedImage.Link link ? Prelude.Right<HermesError, string>(link.Url) : ((ProducedImage.Refused)images[0]).Error);
        return upscaledUrl.Match(
            Right: Prelude.Some,
            Left: error =>
            {
                logger.LogWarning("upscaling failed, keeping the original image: {Reason}", error.Message);
                return Option<string>.None;
            });
    }

    /// <summary>
    /// Every image of the answer in order: its URL, or a content_policy refusal where the model's safety checker flagged it
    /// (has_nsfw_concepts, one flag per image); an error when the answer has no image URL at all.
    /// </summary>
    private static Either<HermesError, IReadOnlyList<ProducedImage>> ImagesOf(JsonObject result, JsonNode? images)
    {
        var flags = result["has_nsfw_concepts"] as JsonArray;
        var refused = new HermesError(ErrorKind.ContentPolicy, "FAL's safety checker flagged the image (has_nsfw_concepts); nothing was saved");
        // A flag with no image left to refuse is still the checker's refusal, not a missing image
        var anyFlagged = flags is not null && flags.Any(flag => JsonFields.Flag(flag));
        if (images is not JsonArray list)
        {
            return anyFlagged ? refused : new HermesError(ErrorKind.NoImage, "FAL returned no images");
        }
        // Flags pair with images by their place in the answer, counting entries that are not objects too
        var found = list
            .Select((node, index) => (
                url: node is JsonObject image ? JsonFields.Text(image["url"]) : null,
                flagged: flags is not null && index < flags.Count && JsonFields.Flag(flags[index])))
            .Where(image => image.url is not null || image.flagged)
            .Select(image => image.flagged ? new ProducedImage.Refused(refused) : (ProducedImage)new ProducedImage.Link(image.url!))
            .ToList();
        if (found.Count == 0)
        {
            return anyFlagged ? refused : new HermesError(ErrorKind.NoImage, list.Count == 0 ? "FAL generated no images" : "FAL returned images without URLs");
        }
        // one flagged image alone is the refusal itself, as before
        return found.All(image => image is ProducedImage.Refused) ? refused : found;
    }
}
