using Hermes.Domain;
using Hermes.Providers.Codex;
using Hermes.Providers.Core;
using Hermes.Providers.Fal;
using Hermes.Providers.OpenAi;
using Hermes.Providers.Xai;
using LanguageExt;
using Microsoft.Extensions.Logging;
using Microsoft.FSharp.Collections;

namespace Hermes.Providers.Library;

/// <summary>What a caller asks for; unset values come from config.yaml, the environment and the providers' defaults.</summary>
public sealed record HermesGenerateOptions
{
    public static readonly HermesGenerateOptions Default = new();

    /// <summary>A registered provider name; overrides image_gen.provider.</summary>
    public string? Provider { get; init; }

    /// <summary>A model id of the chosen provider's catalog; must be valid.</summary>
    public string? Model { get; init; }

    /// <summary>landscape, square or portrait (default landscape).</summary>
    public string? AspectRatio { get; init; }

    /// <summary>xAI only: 1k or 2k.</summary>
    public string? Resolution { get; init; }

    /// <summary>How many images, generated concurrently (1 to <see cref="HermesClient.MaxCount"/>).</summary>
    public int Count { get; init; } = 1;

    /// <summary>A folder the cached files are also copied to.</summary>
    public string? OutputDirectory { get; init; }

    public string? OutputFormat { get; init; }
    public bool? Upscale { get; init; }
    public int? Seed { get; init; }
    public IProgress<GenerationProgress>? Progress { get; init; }
}

/// <summary>The outcome of a generate call: every image path (or URL when caching failed), or one typed error.</summary>
public sealed record HermesResult(
    bool Success,
    IReadOnlyList<string> Images,
    string? Provider,
    string? Model,
    string Prompt,
    string AspectRatio,
    IReadOnlyDictionary<string, object> Extras,
    HermesError? Error)
{
    public string? Image => Images.Count > 0 ? Images[0] : null;

    public static HermesResult Failed(HermesError error, string prompt, string aspect, string? provider = null, string? model = null) =>
        new(false, [], provider, model, prompt, aspect, new Dictionary<string, object>(), error);
}

/// <summary>The dispatch decision for a call, with the provider statuses it was made from (the same ones `hermes providers` lists).</summary>
public sealed record DispatchPlan(DispatchOutcome Outcome, IReadOnlyList<ProviderStatus> Statuses, DispatchFacts Facts)
{
    public Either<HermesError, (IImageGenProvider Provider, string Model)> Runnable(ProviderRegistry registry)
    {
        var ready = Dispatch.readiness(Facts, Outcome.Decision);
        if (ready.IsError)
        {
            return HermesError.Of(ready.ErrorValue);
        }
        var (name, model) = Dispatch.providerOf(Outcome.Decision).Value;
        return registry.Find(name) is { } provider
            ? (provider, model)
            : HermesError.Of(DispatchError.NewProviderNotRegistered(name, ListModule.OfSeq(registry.All.Select(p => p.Name))));
    }
}

/// <summary>The .NET entry point: dispatch (pure, in Hermes.Domain) then the chosen provider, N images at once.</summary>
public sealed class HermesClient
{
    public const int MaxCount = 16;
    private const int MaxParallel = 8;
    private static readonly string[] ModelEnvVars = ["FAL_IMAGE_MODEL", "OPENAI_IMAGE_MODEL", "XAI_IMAGE_MODEL"];
    private readonly HermesContext ctx;
    private readonly ILogger logger;

    public HermesClient(HermesContext context, ProviderRegistry? registry = null)
    {
        ctx = context;
        Registry = registry ?? BundledRegistry(context);
        logger = context.Logging.CreateLogger<HermesClient>();
    }

    public ProviderRegistry Registry { get; }
    public HermesContext Context => ctx;

    /// <summary>Every bundled backend, always on, under image_gen/&lt;name&gt;.</summary>
    public static ProviderRegistry BundledRegistry(HermesContext ctx) => new ProviderRegistry()
        .Register(new FalImageProvider(ctx))
        .Register(new XaiImageProvider(ctx))
        .Register(new OpenAiImageProvider(ctx))
        .Register(new CodexImageProvider(ctx));

    /// <summary>A client for this process: its environment, $HERMES_HOME/config.yaml and the bundled providers.</summary>
    public static Either<HermesError, HermesClient> FromEnvironment(ILoggerFactory? logging = null) =>
        HermesContext.FromEnvironment(HermesEnvironment.FromProcess(), logging).Map(c => new HermesClient(c));

    public IReadOnlyList<ProviderStatus> Providers() => Registry.Statuses();

    /// <summary>Which provider and model would run, and why; nothing is sent anywhere.</summary>
    public DispatchPlan Plan(string? provider = null, string? model = null)
    {
        var statuses = Registry.Statuses();
        var env = ModelEnvVars.SelectMany(name => ctx.Environment.Get(name).Map(v => Tuple.Create(name, v)));
        var facts = new DispatchFacts(
            FalRouting.HasKey(ctx),
            FalGateway.resolves(FalRouting.Gateway(ctx)),
            MapModule.OfSeq(env),
            Registry.Candidates(statuses));
        var settings = string.IsNullOrWhiteSpace(provider)
            ? ctx.Config.ImageGen
            : new ImageGenSettings(Fs.Opt(provider.Trim()), ctx.Config.ImageGen.Model, ctx.Config.ImageGen.ProviderModels, ctx.Config.ImageGen.UseGateway);
        return new DispatchPlan(Dispatch.decide(settings, Fs.Opt(model?.Trim()), facts), statuses, facts);
    }

    public async Task<HermesResult> GenerateAsync(string prompt, HermesGenerateOptions? options, CancellationToken ct)
    {
        options ??= HermesGenerateOptions.Default;
        var text = (prompt ?? "").Trim();
        var aspectText = options.AspectRatio ?? AspectRatioModule.toWire(AspectRatioModule.defaultValue);
        var request = Validate(text, options);
        if (request.Case is HermesError invalid)
        {
            return HermesResult.Failed(invalid, text, aspectText);
        }
        var (aspect, resolution) = ((AspectRatio, Resolution?))request.Case!;

        var plan = Plan(options.Provider, options.Model);
        foreach (var warning in plan.Outcome.Warnings)
        {
            logger.LogWarning("{Warning}", warning.Message);
        }
        var runnable = plan.Runnable(Registry);
        if (runnable.Case is HermesError notRunnable)
        {
            var chosen = Dispatch.providerOf(plan.Outcome.Decision);
            return HermesResult.Failed(notRunnable, text, aspectText, chosen?.Value.Item1, chosen?.Value.Item2);
        }
        var (provider, model) = ((IImageGenProvider, string))runnable.Case!;

        var generateOptions = new GenerateOptions
        {
            Model = model,
            Resolution = resolution,
            OutputFormat = options.OutputFormat,
            Upscale = options.Upscale,
            Seed = options.Seed,
            Progress = options.Progress,
        };
        using var gate = new SemaphoreSlim(MaxParallel);
        var runs = Enumerable.Range(0, options.Count).Select(async _ =>
        {
            await gate.WaitAsync(ct);
            try
            {
                return await provider.GenerateAsync(text, aspect, generateOptions, ct);
            }
            finally
            {
                gate.Release();
            }
        });
        var results = await Task.WhenAll(runs);

        if (results.OfType<ImageGenResult.Failure>().FirstOrDefault() is { } failure)
        {
            return HermesResult.Failed(failure.Error, text, aspectText, failure.Provider, failure.Model);
        }
        var successes = results.Cast<ImageGenResult.Success>().ToList();
        var images = successes.Select(s => s.Image).ToList();
        if (options.OutputDirectory is { } outDir)
        {
            var copied = CopyTo(outDir, images);
            if (copied.Case is HermesError copyError)
            {
                return HermesResult.Failed(copyError, text, aspectText, provider.Name, model);
            }
            images = (List<string>)copied.Case!;
        }
        var first = successes[0];
        return new HermesResult(true, images, first.Provider, first.Model, first.Prompt, first.AspectRatio, first.Extras, null);
    }

    private static Either<HermesError, (AspectRatio, Resolution?)> Validate(string prompt, HermesGenerateOptions options)
    {
        if (prompt.Length == 0)
        {
            return new HermesError(ErrorKind.InvalidArgument, "the prompt is empty: give a text prompt");
        }
        if (options.Count < 1 || options.Count > MaxCount)
        {
            return new HermesError(ErrorKind.InvalidArgument, $"invalid count '{options.Count}': allowed values are 1 to {MaxCount}");
        }
        var aspect = options.AspectRatio is null ? FSharpResultOk(AspectRatioModule.defaultValue) : AspectRatioModule.parse(options.AspectRatio);
        if (aspect.IsError)
        {
            return HermesError.Invalid(aspect.ErrorValue);
        }
        Resolution? resolution = null;
        if (options.Resolution is { } text)
        {
            var parsed = ResolutionModule.parse(text);
            if (parsed.IsError)
            {
                return HermesError.Invalid(parsed.ErrorValue);
            }
            resolution = parsed.ResultValue;
        }
        return (aspect.ResultValue, resolution);
    }

    private static Microsoft.FSharp.Core.FSharpResult<AspectRatio, BadValue> FSharpResultOk(AspectRatio value) =>
        Microsoft.FSharp.Core.FSharpResult<AspectRatio, BadValue>.NewOk(value);

    /// <summary>Copies local images into the folder (never overwriting); URLs that could not be cached stay URLs.</summary>
    private static Either<HermesError, List<string>> CopyTo(string directory, IEnumerable<string> images)
    {
        try
        {
            Directory.CreateDirectory(directory);
            return images.Select(image =>
            {
                if (!File.Exists(image))
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
            return new HermesError(ErrorKind.Cache, $"cannot copy images to '{directory}': {e.Message}");
        }
    }
}
