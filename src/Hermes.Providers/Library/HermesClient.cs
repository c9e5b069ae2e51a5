using Hermes.Domain;
using Hermes.Providers.Codex;
using Hermes.Providers.Config;
using Hermes.Providers.Core;
using Hermes.Providers.Endpoints;
using Hermes.Providers.Fal;
using Hermes.Providers.Gemini;
using Hermes.Providers.Library;
using Hermes.Providers.OpenAi;
using Hermes.Providers.Xai;
using LanguageExt;
using Microsoft.Extensions.Logging;
using Microsoft.FSharp.Collections;

namespace Hermes;

/// <summary>The .NET entry point: dispatch (pure, in Hermes.Domain) then the chosen provider, N images at once (native n where the API has it).</summary>
/// <example><code>var result = await new HermesClient(new HermesOptions { XaiApiKey = key }).GenerateAsync("a red fox in snow");</code></example>
public sealed class HermesClient
{
    /// <summary>The most images one call makes (<see cref="HermesGenerateOptions.Count"/>).</summary>
    public const int MaxCount = 16;
    private const int MaxParallel = 8;

    /// <summary>The extra naming how many images the provider returned beyond <see cref="HermesGenerateOptions.Count"/>; all are kept.</summary>
    public const string BeyondCount = "images_beyond_count";
    private static readonly string[] ModelEnvVars = ["FAL_IMAGE_MODEL", "OPENAI_IMAGE_MODEL", "XAI_IMAGE_MODEL"];
    private readonly HermesContext ctx;
    private readonly ILogger logger;
    // Why these options cannot run (an unreadable config.yaml); every call answers with it before any request.
    private readonly HermesError? setupError;

    /// <summary>A client with exactly these settings; a setup problem (an unreadable config.yaml) is the error of every call's result.</summary>
    /// <param name="options">The keys, base URLs and provider; see <see cref="HermesOptions"/> for what is read besides.</param>
    /// <param name="logging">Where warnings go (a model the provider fell back from); none when null.</param>
    public HermesClient(HermesOptions options, ILoggerFactory? logging = null)
        : this(ContextOf(options ?? throw new ArgumentNullException(nameof(options)), logging, out var setupError))
    {
        this.setupError = setupError;
        Provider = options.ChosenProvider();
        EnableSensitiveData = options.EnableSensitiveData;
    }

    internal HermesClient(HermesContext context, ProviderRegistry? registry = null)
    {
        ctx = context;
        Registry = registry ?? BundledRegistry(context);
        logger = context.Logging.CreateLogger<HermesClient>();
    }

    internal ProviderRegistry Registry { get; }
    internal HermesContext Context => ctx;

    /// <summary>The provider every call uses unless the call names one; overrides image_gen.provider.</summary>
    public string? Provider { get; init; }

    /// <summary>Puts the prompt on the telemetry activity (gen_ai.input.messages); off by default because prompts may be personal data.</summary>
    public bool EnableSensitiveData { get; init; }

    /// <summary>Every bundled backend, always on, under image_gen/&lt;name&gt;; then each endpoint config.yaml names.</summary>
    internal static ProviderRegistry BundledRegistry(HermesContext ctx) => EndpointImageProvider.RegisterConfigured(new ProviderRegistry()
        .Register(new FalImageProvider(ctx))
        .Register(new XaiImageProvider(ctx))
        .Register(new OpenAiImageProvider(ctx))
        .Register(new CodexImageProvider(ctx))
        .Register(new GeminiImageProvider(ctx)), ctx);

    /// <summary>A client as the CLI has it: this process's environment, $HERMES_HOME/.env, config.yaml and saved sign-ins.</summary>
    /// <param name="logging">Where warnings go; none when null.</param>
    public static HermesClient FromEnvironment(ILoggerFactory? logging = null) => new(HermesOptions.FromEnvironment().UseUserProfile(), logging);

    private static HermesContext ContextOf(HermesOptions options, ILoggerFactory? logging, out HermesError? setupError)
    {
        var (context, error) = options.Context(logging).Match(
            Right: c => (c, (HermesError?)null),
            Left: e => (new HermesContext(options.Environment(), HermesConfig.Empty, logging), e));
        setupError = error;
        return context;
    }

    internal IReadOnlyList<ProviderStatus> Providers() => Registry.Statuses();

    /// <summary>Which provider and model would run, and why; nothing is sent anywhere.</summary>
    internal DispatchPlan Plan(string? provider = null, string? model = null)
    {
        provider = string.IsNullOrWhiteSpace(provider) ? Provider : provider;
        var statuses = Registry.Statuses();
        var env = ModelEnvVars.SelectMany(name => ctx.Environment.Get(name).Map(v => Tuple.Create(name, v)));
        var facts = new DispatchFacts(
            FalRouting.HasKey(ctx),
            FalGateway.resolves(FalRouting.Gateway(ctx)),
            MapModule.OfSeq(env),
            Registry.Candidates(statuses),
            ListModule.OfSeq(ctx.Config.Endpoints.Select(endpoint => endpoint.Name)));
        var settings = string.IsNullOrWhiteSpace(provider)
            ? ctx.Config.ImageGen
            : new ImageGenSettings(Fs.Opt(provider.Trim()), ctx.Config.ImageGen.Model, ctx.Config.ImageGen.ProviderModels, ctx.Config.ImageGen.UseGateway);
        return new DispatchPlan(Dispatch.decide(settings, Fs.Opt(model?.Trim()), facts), statuses, facts);
    }

    /// <summary>The plan; when it turned a model down (or fell back from one) for a provider with a live catalog, that catalog is fetched and the plan made again.</summary>
    private async Task<DispatchPlan> PlanWithLiveModelsAsync(string? provider, string? model, CancellationToken ct)
    {
        var plan = Plan(provider, model);
        var doubted = plan.Outcome.Decision is Decision.Error { Item: DispatchError.UnknownModel unknown } ? unknown.provider
            : plan.Outcome.Warnings.IsEmpty ? null
            : Dispatch.providerOf(plan.Outcome.Decision)?.Value.Item1;
        if (doubted is null || Registry.Find(doubted) is not ILiveModelCatalog live)
        {
            return plan;
        }
        await live.ListModelsAsync(ct);
        return Plan(provider, model);
    }

    /// <summary>Generates <see cref="HermesGenerateOptions.Count"/> images (or edits the options' sources); every image made is reported even when others fail.</summary>
    /// <param name="prompt">What to draw, or the edit to make.</param>
    /// <param name="options">Provider, model, aspect ratio, count, sources; defaults when null.</param>
    /// <param name="ct">Cancels the call (an <see cref="OperationCanceledException"/>); nothing else throws, failures are in the result.</param>
    public Task<HermesResult> GenerateAsync(string prompt, HermesGenerateOptions? options = null, CancellationToken ct = default) =>
        HermesTelemetry.TraceAsync(ctx, prompt, options ?? HermesGenerateOptions.Default, EnableSensitiveData, () => GenerateUntracedAsync(prompt, options, ct));

    private async Task<HermesResult> GenerateUntracedAsync(string prompt, HermesGenerateOptions? options, CancellationToken ct)
    {
        options ??= HermesGenerateOptions.Default;
        var text = (prompt ?? "").Trim();
        var aspectText = options.AspectRatio ?? AspectRatioModule.toWire(AspectRatioModule.defaultValue);
        if (setupError is not null)
        {
            return HermesResult.Failed(ctx.Secrets.Clean(setupError), text, aspectText);
        }
        var plan = await PlanWithLiveModelsAsync(options.Provider, options.Model, ct);
        var runnable = from request in Validate(text, options)
                       from chosen in plan.Runnable(Registry)
                       select (request.Aspect, request.Ratio, request.Resolution, chosen.Provider, chosen.Model);
        foreach (var warning in plan.Outcome.Warnings)
        {
            logger.LogWarning("{Warning}", warning.Message);
        }
        return await runnable.MatchAsync(
            RightAsync: run => RunAsync(text, options, run.Aspect, run.Ratio, run.Resolution, run.Provider, run.Model, ct),
            Left: error =>
            {
                var chosen = Dispatch.providerOf(plan.Outcome.Decision);
                return HermesResult.Failed(ctx.Secrets.Clean(error), text, aspectText, chosen?.Value.Item1, chosen?.Value.Item2);
            });
    }

    private async Task<HermesResult> RunAsync(
        string text, HermesGenerateOptions options, AspectRatio aspect, string? ratio, Resolution? resolution, IImageGenProvider provider, string model, CancellationToken ct)
    {
        var generateOptions = new GenerateOptions
        {
            Model = model,
            Resolution = resolution,
            Size = options.Size,
            Ratio = ratio,
            Quality = options.Quality,
            OutputFormat = options.OutputFormat,
            Compression = options.Compression,
            Background = options.Background,
            Moderation = options.Moderation,
            Upscale = options.Upscale,
            Seed = options.Seed,
            Sources = options.Sources ?? [],
            Mask = options.Mask,
            InputFidelity = options.InputFidelity,
            Progress = options.Progress,
        };
        // Native n where the provider has it (split at its max), else one request an image; the requests run concurrently.
        var isEdit = (options.Sources ?? []).Count > 0;
        var requests = ImageCount.requests(provider.CountFor(model, isEdit), options.Count).ToList();
        var firsts = requests.Select((_, i) => 1 + requests.Take(i).Sum()).ToList();
        using var gate = new SemaphoreSlim(MaxParallel);
        var runs = requests.Select(async (images, i) =>
        {
            await gate.WaitAsync(ct);
            try
            {
                var numbered = generateOptions with
                {
                    Images = images,
                    Progress = options.Progress is { } progress ? new NumberedProgress(progress, firsts[i], images) : null,
                };
                return (Asked: images, Result: await provider.GenerateAsync(text, aspect, numbered, ct));
            }
            finally
            {
                gate.Release();
            }
        });
        var answered = await Task.WhenAll(runs);
        var results = answered.Select(r => r.Result).ToList();
        var successes = results.OfType<ImageGenResult.Success>().ToList();
        // One failure per image not made: a failed request stands for every image it asked for, a short answer for the rest.
        var failures = answered.SelectMany(r => r.Result switch
        {
            ImageGenResult.Failure failed => Enumerable.Repeat(failed.Error, r.Asked),
            ImageGenResult.Success made => made.Missing,
            _ => [],
        }).ToList();
        var images = successes.SelectMany(s => s.Images).ToList();
        var extras = TokenUsage.Summed([.. successes.Select(s => s.Extras)]);
        if (images.Count > options.Count)
        {
            // paid for, so kept: the result says there are more than asked
            extras = new Dictionary<string, object>(extras) { [BeyondCount] = images.Count - options.Count };
        }
        // The model actually sent: an xAI edit may use another model than the one asked for.
        var sent = successes.Count > 0 ? successes[0].Model : model;
        var made = new HermesResult(images, failures, provider.Name, sent, text, ratio ?? AspectRatioModule.toWire(aspect), extras);
        if (options.OutputDirectory is not { } outDir || images.Count == 0)
        {
            return made;
        }
        return CopyTo(outDir, ctx.Cache.Directory, images).Match(
            Right: copied => made with { Images = copied },
            Left: error => made with { Failures = [.. failures, error] });
    }

    private static Either<HermesError, (AspectRatio Aspect, string? Ratio, Resolution? Resolution)> Validate(string prompt, HermesGenerateOptions options)
    {
        if (prompt.Length == 0)
        {
            return new HermesError(ErrorKind.InvalidArgument, "the prompt is empty: give a text prompt");
        }
        if (options.Count < 1 || options.Count > MaxCount)
        {
            return new HermesError(ErrorKind.InvalidArgument, $"invalid count '{options.Count}': allowed values are 1 to {MaxCount}");
        }
        // Without an aspect, an exact size stands for its own (wider landscape, equal square, taller portrait).
        var aspect = options.Size is { } size ? OutputControlsModule.aspectOfSize(size) : AspectRatioModule.defaultValue;
        string? ratio = null;
        if (options.AspectRatio is { } aspectText)
        {
            var parsed = OutputControlsModule.parseAspect(aspectText);
            if (parsed.IsError)
            {
                return new HermesError(ErrorKind.InvalidArgument, parsed.ErrorValue);
            }
            aspect = parsed.ResultValue.Item1;
            ratio = parsed.ResultValue.Item2?.Value;
        }
        if (options.Resolution is not { } resolutionText)
        {
            return (aspect, ratio, null);
        }
        var resolution = ResolutionModule.parse(resolutionText);
        return resolution.IsOk ? (aspect, ratio, resolution.ResultValue) : HermesError.Invalid(resolution.ErrorValue);
    }

    /// <summary>Copies cached images into the folder (never overwriting); only files of the cache are ever copied, URLs stay URLs.</summary>
    private static Either<HermesError, IReadOnlyList<string>> CopyTo(string directory, string cacheDirectory, IEnumerable<string> images)
    {
        var cache = Path.GetFullPath(cacheDirectory) + Path.DirectorySeparatorChar;
        try
        {
            Directory.CreateDirectory(directory);
            return images.Select(image =>
            {
                if (!Path.IsPathFullyQualified(image) || !Path.GetFullPath(image).StartsWith(cache, StringComparison.Ordinal) || !File.Exists(image))
                {
                    return image;
                }
                var target = Path.Combine(directory, Path.GetFileName(image));
                File.Copy(image, target, overwrite: false);
                return Path.GetFullPath(target);
            }).ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new HermesError(ErrorKind.Storage, $"cannot copy images to '{directory}': {e.Message}");
        }
    }
}
