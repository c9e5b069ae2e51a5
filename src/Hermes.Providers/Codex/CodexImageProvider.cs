using System.Text;
using Flurl.Http;
using Hermes.Domain;
using Hermes.Providers.Core;
using LanguageExt;
using Microsoft.Extensions.Logging;

namespace Hermes.Providers.Codex;

/// <summary>gpt-image-2 through the ChatGPT/Codex Responses image_generation tool with the user's Codex sign-in; no API key.</summary>
public sealed class CodexImageProvider(HermesContext ctx) : IImageGenProvider
{
    private const string Label = "Codex";
    private const string UnsupportedToolMessage = "Tool choice 'image_generation' not found in 'tools' parameter.";
    private readonly ILogger logger = ctx.Logging.CreateLogger<CodexImageProvider>();

    public TimeSpan HeadersTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Longest silence between two stream events.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(120);

    public string Name => "openai-codex";
    public string DisplayName => Catalog.DisplayName;
    public ProviderCatalog Catalog => Hermes.Domain.Catalog.openAiCodex;

    public SetupSchema SetupSchema => new("OpenAI via Codex sign-in", "subscription",
        "gpt-image-2 tiers through your ChatGPT/Codex sign-in; no OPENAI_API_KEY needed", []);

    public Availability IsAvailable() => CodexCredentials.Read(ctx).Match(
        Right: found => found.Match(
            Some: token => token.IsExpired(ctx.NowUnixSeconds)
                ? Availability.Missing("the Codex sign-in has expired: run `codex login` to sign in again")
                : Availability.Ready,
            None: () => Availability.Missing("sign in with Codex (`codex login`) to use gpt-image-2 without an API key")),
        Left: error => Availability.Missing(error.Message));

    public async Task<ImageGenResult> GenerateAsync(string prompt, AspectRatio aspectRatio, GenerateOptions options, CancellationToken ct)
    {
        var prepared = this.Prepare(ctx, prompt, aspectRatio, options, logger);
        if (prepared.Case is ImageGenResult.Failure refused)
        {
            return refused;
        }
        var (text, model) = ((string, string))prepared.Case!;
        var read = CodexCredentials.Read(ctx);
        if (read.Case is Hermes.Providers.Storage.StorageError unreadable)
        {
            return this.Fail(unreadable.ToHermesError(), model, text, aspectRatio);
        }
        if (read.IfLeft(Option<CodexToken>.None).Case is not CodexToken token)
        {
            return this.Fail(new HermesError(ErrorKind.NotAvailable, IsAvailable().Reason), model, text, aspectRatio);
        }
        if (token.IsExpired(ctx.NowUnixSeconds))
        {
            return this.Fail(new HermesError(ErrorKind.Auth, "the Codex sign-in has expired: run `codex login` to sign in again"), model, text, aspectRatio);
        }

        var tier = TierModule.parse(model).ResultValue;
        var image = await StreamImageAsync(token, Requests.codex(tier, text, aspectRatio), options.Progress, ct);
        var saved = await image.BindAsync(async b64 => (await ctx.Cache.SaveBase64Async(b64, $"openai-codex_{model}", ct))
            .MapLeft(error => new HermesError(ErrorKind.Cache, $"the Codex image could not be saved: {error.Message}")));
        return saved.Match<ImageGenResult>(
            Right: path => new ImageGenResult.Success(path, Name, model, text, AspectRatioModule.toWire(aspectRatio),
                new Dictionary<string, object>
                {
                    ["size"] = AspectRatioModule.openAiSize(aspectRatio),
                    ["quality"] = TierModule.quality(tier),
                }),
            Left: error => this.Fail(error, model, text, aspectRatio));
    }

    private async Task<Either<HermesError, string>> StreamImageAsync(CodexToken token, System.Text.Json.Nodes.JsonObject body, IProgress<GenerationProgress>? progress, CancellationToken ct)
    {
        var baseUrl = ctx.Environment.Get("HERMES_CODEX_BASE_URL").Map(u => u.TrimEnd('/')).IfNone("https://chatgpt.com/backend-api/codex");
        var request = ctx.Http.Request(baseUrl + "/responses").AllowAnyHttpStatus();
        foreach (var (name, value) in CodexHeaders.build(token.AccessToken, Fs.Opt(token.AccountId), HermesVersion.Version))
        {
            request = request.WithHeader(name, value);
        }

        using var timer = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timer.CancelAfter(HeadersTimeout);
        IFlurlResponse response;
        try
        {
            response = await request.PostJsonAsync(body, HttpCompletionOption.ResponseHeadersRead, timer.Token);
        }
        catch (Exception e) when (ProviderHttp.Failure(e, Label, HeadersTimeout, ct) is { } failure)
        {
            return failure;
        }

        using (response)
        {
            if (response.StatusCode >= 400)
            {
                return StatusError(new HttpAnswer(response.StatusCode, await response.GetStringAsync()));
            }
            progress?.Report(new GenerationProgress("generating", "waiting for the Codex image tool"));
            var state = CodexStreamModule.initial;
            try
            {
                timer.CancelAfter(IdleTimeout);
                await using var stream = await response.GetStreamAsync();
                using var reader = new StreamReader(stream, Encoding.UTF8);
                while (true)
                {
                    timer.CancelAfter(IdleTimeout);
                    var line = await reader.ReadLineAsync(timer.Token);
                    if (line is null)
                    {
                        break;
                    }
                    var partials = state.Partials;
                    state = CodexStreamModule.feed(state, line);
                    if (state.Partials > partials)
                    {
                        progress?.Report(new GenerationProgress("partial", $"preview {state.Partials} received"));
                    }
                }
            }
            catch (Exception e) when (ProviderHttp.Failure(e, Label, IdleTimeout, ct) is { } failure)
            {
                logger.LogDebug("Codex stream stopped: {Reason}", failure.Message);
                if (failure.Kind.IsTimeout)
                {
                    return failure;
                }
            }
            var finished = CodexStreamModule.finish(state);
            return finished.IsOk
                ? finished.ResultValue
                : new HermesError(CodexStreamModule.errorKind(finished.ErrorValue), CodexStreamModule.errorMessage(finished.ErrorValue));
        }
    }

    private static HermesError StatusError(HttpAnswer answer)
    {
        if (answer.Status == 401)
        {
            return new HermesError(ErrorKind.Auth, "Codex refused the sign-in token (HTTP 401): run `codex login` to sign in again", 401);
        }
        if (answer.Status == 400 && ApiError.providerMessage(answer.Body) == UnsupportedToolMessage)
        {
            return new HermesError(ErrorKind.NotAvailable,
                "image generation is not enabled for this Codex account: choose openai (OPENAI_API_KEY), fal or xai", 400);
        }
        return ProviderHttp.StatusError(Label, answer);
    }
}
