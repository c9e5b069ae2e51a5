using System.Text.Json.Nodes;
using Hermes.Domain;
using Hermes.Providers.Core;
using LanguageExt;
using Microsoft.Extensions.Logging;
using Microsoft.FSharp.Core;

namespace Hermes.Providers.Fal;

/// <summary>FAL.ai: the 21-model catalog through the queue API, directly with FAL_KEY or through the Nous gateway; optional Clarity upscaling.</summary>
public sealed class FalImageProvider(HermesContext ctx) : IImageGenProvider
{
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

    public async Task<ImageGenResult> GenerateAsync(string prompt, AspectRatio aspectRatio, GenerateOptions options, CancellationToken ct)
    {
        var prepared = this.Prepare(ctx, prompt, aspectRatio, options, logger);
        if (prepared.Case is ImageGenResult.Failure refused)
        {
            return refused;
        }
        var (text, modelId) = ((string, string))prepared.Case!;
        var model = FalCatalog.tryModel(modelId).Value;
        if (FalRouting.Endpoint(ctx) is not { } endpoint)
        {
            return this.Fail(new HermesError(ErrorKind.NotAvailable, MissingFix), modelId, text, aspectRatio);
        }
        var queue = new FalQueueClient(ctx, endpoint) { PollInterval = PollInterval, QueueTimeout = QueueTimeout };
        var overrides = FalPayload.noOverrides;
        if (options.Seed is { } seed)
        {
            overrides = new FalOverrides(FSharpOption<int>.Some(seed), overrides.Steps, overrides.Guidance, overrides.NumImages, overrides.OutputFormat);
        }

        var generated = await queue.RunAsync(modelId, FalPayload.build(model, text, aspectRatio, overrides), options.Progress, ct);
        var firstUrl = generated.Bind(result => FirstImageUrl(result["images"]));
        if (firstUrl.Case is HermesError failure)
        {
            return this.Fail(failure, modelId, text, aspectRatio);
        }
        var url = (string)firstUrl.Case!;
        var upscaled = false;
        if (options.Upscale ?? model.Upscale)
        {
            options.Progress?.Report(new GenerationProgress("upscaling", FalPayload.upscalerModel));
            var upscale = await queue.RunAsync(FalPayload.upscalerModel, FalPayload.upscale(url, text), options.Progress, ct);
            var upscaledUrl = upscale.Bind(result => FirstImageUrl(result["image"] is JsonNode image ? new JsonArray(image.DeepClone()) : null));
            upscaledUrl.Match(
                Right: u => { url = u; upscaled = true; },
                Left: error => logger.LogWarning("upscaling failed, keeping the original image: {Reason}", error.Message));
        }

        var image = await ctx.Cache.CacheOrFallbackAsync(url, $"fal_{modelId}", ct);
        return new ImageGenResult.Success(image, Name, modelId, text, AspectRatioModule.toWire(aspectRatio),
            new Dictionary<string, object> { ["route"] = endpoint.RouteName, ["upscaled"] = upscaled });
    }

    private static Either<HermesError, string> FirstImageUrl(JsonNode? images)
    {
        if (images is not JsonArray list)
        {
            return new HermesError(ErrorKind.NoImage, "FAL returned no images");
        }
        var url = list.OfType<JsonObject>().Select(i => i["url"]?.GetValue<string>()).FirstOrDefault(u => !string.IsNullOrWhiteSpace(u));
        return url is null
            ? new HermesError(ErrorKind.NoImage, list.Count == 0 ? "FAL generated no images" : "FAL returned images without URLs")
            : url;
    }
}
