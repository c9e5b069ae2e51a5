using System.Text.Json.Nodes;
using Flurl.Http;
using Hermes.Domain;
using Hermes.Providers.Core;
using LanguageExt;
using Microsoft.Extensions.Logging;

namespace Hermes.Providers.OpenAi;

/// <summary>OpenAI gpt-image-2 at three quality tiers: POST {base}/images/generations with OPENAI_API_KEY; never sends response_format.</summary>
public sealed class OpenAiImageProvider(HermesContext ctx) : IImageGenProvider
{
    private const string Label = "OpenAI";
    private static readonly string[] OutputFormats = ["png", "jpeg", "webp"];
    private readonly ILogger logger = ctx.Logging.CreateLogger<OpenAiImageProvider>();

    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromMinutes(5);

    public string Name => "openai";
    public string DisplayName => Catalog.DisplayName;
    public ProviderCatalog Catalog => Hermes.Domain.Catalog.openAi;

    public SetupSchema SetupSchema => new("OpenAI", "paid", "gpt-image-2 at low/medium/high quality tiers",
        [new SetupEnvVar("OPENAI_API_KEY", "OpenAI API key", "https://platform.openai.com/api-keys")]);

    private const string MissingFix = "OpenAI needs OPENAI_API_KEY (https://platform.openai.com/api-keys)";

    public Availability IsAvailable() => ctx.Environment.Has("OPENAI_API_KEY") ? Availability.Ready : Availability.NewMissing(MissingFix);

    public async Task<ImageGenResult> GenerateAsync(string prompt, AspectRatio aspectRatio, GenerateOptions options, CancellationToken ct)
    {
        if (options.OutputFormat is { } format && !OutputFormats.Contains(format))
        {
            return this.Fail(new HermesError(ErrorKind.InvalidArgument,
                $"invalid output format '{format}': allowed values are {string.Join(", ", OutputFormats)}"), options.Model, prompt, aspectRatio);
        }
        var prepared = this.Prepare(ctx, prompt, aspectRatio, options, logger);
        if (prepared.Case is ImageGenResult.Failure refused)
        {
            return refused;
        }
        var (text, model) = ((string, string))prepared.Case!;
        if (ctx.Environment.Get("OPENAI_API_KEY").Case is not string key)
        {
            return this.Fail(new HermesError(ErrorKind.NotAvailable, MissingFix), model, text, aspectRatio);
        }
        var openAiModel = OpenAiModelModule.ofId(model);
        var baseUrl = ctx.Environment.Get("OPENAI_BASE_URL").Map(u => u.TrimEnd('/')).IfNone("https://api.openai.com/v1");
        var body = Requests.openAi(openAiModel, text, aspectRatio,
            Fs.Opt(options.OutputFormat));
        var request = ctx.Http.Request(baseUrl + "/images/generations").WithOAuthBearerToken(key).WithHeader("User-Agent", HermesVersion.UserAgent);
        options.Progress?.Report(new GenerationProgress("generating", $"{model} ({Catalog.Models.FirstOrDefault(m => m.Id == model)?.Speed ?? "passed through"})"));
        var answer = await ProviderHttp.PostJsonAsync(request, body, Label, RequestTimeout, ct);

        var saved = await answer
            .Bind(response => ImagePayload.FirstImage(Label, response))
            .BindAsync(async first =>
            {
                var path = await ImagePayload.MaterializeAsync(ctx.Cache, first, $"openai_{model}", Label, ct);
                return path.Map(p => (Path: p, Revised: first["revised_prompt"]?.GetValue<string>()));
            });
        return saved.Match<ImageGenResult>(
            Right: result =>
            {
                var extras = new Dictionary<string, object> { ["size"] = AspectRatioModule.openAiSize(aspectRatio) };
                if (OpenAiModelModule.quality(openAiModel)?.Value is { } quality)
                {
                    extras["quality"] = quality;
                }
                if (!string.IsNullOrEmpty(result.Revised))
                {
                    extras["revised_prompt"] = result.Revised;
                }
                return new ImageGenResult.Success(result.Path, Name, model, text, AspectRatioModule.toWire(aspectRatio), extras);
            },
            Left: error => this.Fail(error, model, text, aspectRatio));
    }
}
