using Hermes.Domain;
using Hermes.Providers.Core;
using Hermes.Providers.Http;
using LanguageExt;
using Microsoft.Extensions.Logging;

namespace Hermes.Providers.Codex;

/// <summary>gpt-image-2 through the ChatGPT/Codex Responses image_generation tool with the user's Codex sign-in; no API key.</summary>
internal sealed class CodexImageProvider(HermesContext ctx) : IImageGenProvider
{
    private const string Label = "Codex";
    private const string Expired = "the Codex sign-in has expired: run `codex login` to sign in again";
    private readonly ProviderPipeline pipeline = new(ctx);
    private readonly ILogger logger = ctx.Logging.CreateLogger<CodexImageProvider>();

    /// <summary>Longest silence between two stream events; the transport's total deadline holds whatever arrives.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(120);

    public string Name => "openai-codex";
    public string DisplayName => Catalog.DisplayName;
    public ProviderCatalog Catalog => Hermes.Domain.Catalog.openAiCodex;

    public SetupSchema SetupSchema => new("OpenAI via Codex sign-in", "subscription",
        "gpt-image-2 tiers through your ChatGPT/Codex sign-in; no OPENAI_API_KEY needed", []);

    private const string MissingFix = "sign in with Codex (`codex login`) to use gpt-image-2 without an API key";

    public Availability IsAvailable() => CodexCredentials.Read(ctx).Match(
        Right: found => found.Match(
            Some: token => token.IsExpired(ctx.NowUnixSeconds) ? Availability.NewMissing(Expired) : Availability.Ready,
            None: () => Availability.NewMissing(MissingFix)),
        Left: error => Availability.NewMissing(error.Message));

    public Task<ImageGenResult> GenerateAsync(string prompt, AspectRatio aspectRatio, GenerateOptions options, CancellationToken ct) =>
        pipeline.RunAsync(this, ProduceAsync, prompt, aspectRatio, options, ct);

    private async Task<Either<HermesError, Produced>> ProduceAsync(ImageCall call, CancellationToken ct)
    {
        var token = CodexCredentials.Read(ctx)
            .MapLeft(error => error.ToHermesError())
            .Bind(found => found.ToEither(() => new HermesError(ErrorKind.NotAvailable, MissingFix)))
            .Bind(t => t.IsExpired(ctx.NowUnixSeconds) ? new HermesError(ErrorKind.Auth, Expired) : Prelude.Right<HermesError, CodexToken>(t));
        var tier = TierModule.parse(call.Model).ResultValue;
        var body = call.IsEdit
            ? EditRequests.codex(tier, call.Prompt, call.Aspect, call.Controls,
                Microsoft.FSharp.Collections.ListModule.OfSeq(call.Sources.Select(source => source.UrlForProvider)), Fs.Opt(call.Mask?.UrlForProvider))
            : Requests.codex(tier, call.Prompt, call.Aspect, call.Controls);
        var size = Requests.openAiSize(call.Aspect, call.Controls);
        var image = await token.BindAsync(t =>
        {
            ctx.Secrets.Add(t.AccessToken);
            return StreamWithRetryAsync(Call(t, body), call.Options.Progress, 1, ct);
        });
        return image.Map(final => new Produced(
            [new ProducedImage.EncodedText(final.Base64)],
            new Dictionary<string, object>
            {
                ["input_image_count"] = call.Sources.Count,
                ["size"] = size,
                ["quality"] = Requests.openAiQuality(OpenAiModel.NewTier(tier), call.Controls).Value,
                ["requested_size"] = size,
                ["image_source"] = "final",
                ["requested_model"] = TierModule.apiModel,
                ["reported_model"] = final.ReportedModel is { } reported ? reported.Value : "unknown",
                ["model_selection_verified"] = false,
            })
        {
            CachePrefix = $"openai_codex_{TierModule.quality(tier)}",
        });
    }

    /// <summary>A stream with no final image gets one more attempt; a partial frame is never the deliverable.</summary>
    private async Task<Either<HermesError, CodexImage>> StreamWithRetryAsync(HttpCall call, IProgress<GenerationProgress>? progress, int attempt, CancellationToken ct)
    {
        progress?.Report(new GenerationProgress("generating", attempt == 1 ? "waiting for the Codex image tool" : $"attempt {attempt}"));
        var streamed = await ctx.Transport.StreamAsync(call,
            (content, token) => SseReader.FoldAsync(content, CodexStreamModule.initial, (state, line) => Feed(state, line, progress), IdleTimeout, Label, token),
            StatusError, ct);
        return await streamed.BindAsync(state =>
        {
            var finished = CodexStreamModule.finish(state);
            if (finished.IsOk)
            {
                return Task.FromResult(Prelude.Right<HermesError, CodexImage>(finished.ResultValue));
            }
            if (CodexStreamModule.worthRetrying(finished.ErrorValue) && attempt < CodexStreamModule.attempts)
            {
                logger.LogInformation("the Codex stream carried no final image; trying once more");
                return StreamWithRetryAsync(call, progress, attempt + 1, ct);
            }
            return Task.FromResult(Prelude.Left<HermesError, CodexImage>(
                new HermesError(CodexStreamModule.errorKind(finished.ErrorValue), CodexStreamModule.errorMessage(attempt, finished.ErrorValue))));
        });
    }

    private static CodexStream Feed(CodexStream state, string line, IProgress<GenerationProgress>? progress)
    {
        var next = CodexStreamModule.feed(state, line);
        if (next.Partials > state.Partials)
        {
            progress?.Report(new GenerationProgress("partial", $"preview {next.Partials} received"));
        }
        return next;
    }

    private HttpCall Call(CodexToken token, System.Text.Json.Nodes.JsonObject body)
    {
        var baseUrl = ctx.Environment.Get("HERMES_CODEX_BASE_URL").Map(u => u.TrimEnd('/')).IfNone("https://chatgpt.com/backend-api/codex");
        var call = HttpCall.PostJson(baseUrl + "/responses", Label, body);
        foreach (var (name, value) in CodexHeaders.build(token.AccessToken, Fs.Opt(token.AccountId), HermesVersion.Version))
        {
            call = call.WithHeader(name, value);
        }
        return call;
    }

    /// <summary>A 401 means signing in again; every other status, 400 included, is the backend's own words.</summary>
    private static HermesError StatusError(HttpAnswer answer) =>
        answer.Status == 401
            ? new HermesError(ErrorKind.Auth, "Codex refused the sign-in token (HTTP 401): run `codex login` to sign in again", 401)
            : ProviderFailure.Status(Label, answer);
}
