using System.Text.Json.Nodes;
using Flurl.Http;
using Hermes.Domain;
using Hermes.Providers.Auth;
using Hermes.Providers.Core;
using LanguageExt;
using Microsoft.Extensions.Logging;

namespace Hermes.Providers.Xai;

/// <summary>xAI grok-imagine-image: POST {base}/images/generations, text-to-image only, one refresh-and-retry on a 401 with a sign-in token.</summary>
public sealed class XaiImageProvider : IImageGenProvider
{
    private const string Label = "xAI";
    private readonly HermesContext ctx;
    private readonly XaiTokenManager tokens;
    private readonly ILogger logger;

    public XaiImageProvider(HermesContext ctx)
    {
        this.ctx = ctx;
        tokens = new XaiTokenManager(ctx, new XaiOAuthClient(ctx));
        logger = ctx.Logging.CreateLogger<XaiImageProvider>();
    }

    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(120);

    public string Name => "xai";
    public string DisplayName => Catalog.DisplayName;
    public ProviderCatalog Catalog => Hermes.Domain.Catalog.xai;

    public SetupSchema SetupSchema => new("xAI Grok Imagine", "paid",
        "grok-imagine-image text-to-image; signs in with xAI Grok OAuth (SuperGrok) or uses XAI_API_KEY",
        [new SetupEnvVar("XAI_API_KEY", "xAI API key", "https://console.x.ai")]);

    private const string MissingFix = "xAI needs a key or a sign-in: set XAI_API_KEY (https://console.x.ai) or run `hermes auth add xai-oauth`";

    public Availability IsAvailable() => tokens.Peek().IsSome ? Availability.Ready : Availability.NewMissing(MissingFix);

    public async Task<ImageGenResult> GenerateAsync(string prompt, AspectRatio aspectRatio, GenerateOptions options, CancellationToken ct)
    {
        var prepared = this.Prepare(ctx, prompt, aspectRatio, options, logger);
        if (prepared.Case is ImageGenResult.Failure refused)
        {
            return refused;
        }
        var (text, model) = ((string, string))prepared.Case!;
        var resolution = options.Resolution ?? ResolutionFromConfig();

        var resolved = await tokens.ResolveAsync(ct);
        if (resolved.Case is AuthError authError)
        {
            return this.Fail(new HermesError(ErrorKind.Auth, AuthErrorModule.message(authError)), model, text, aspectRatio);
        }
        if (((Option<XaiCredential>)resolved.Case!).Case is not XaiCredential credential)
        {
            return this.Fail(new HermesError(ErrorKind.NotAvailable, MissingFix), model, text, aspectRatio);
        }

        var body = Requests.xai(model, text, aspectRatio, resolution);
        var answer = await PostAsync(credential, body, ct);
        if (answer.Case is HttpAnswer { Status: 401 } && credential.IsOAuth)
        {
            logger.LogInformation("xAI answered 401; refreshing the sign-in token once and retrying");
            var refreshed = await tokens.RefreshAsync(credential, force: true, ct);
            if (refreshed.Case is AuthError refreshError)
            {
                return this.Fail(new HermesError(ErrorKind.Auth, AuthErrorModule.message(refreshError), 401), model, text, aspectRatio);
            }
            answer = await PostAsync(((XaiRefresh)refreshed.Case!).Credential, body, ct);
        }
        var saved = await answer.Bind(response => ImagePayload.FirstImage(Label, response)).BindAsync(first => ImagePayload.MaterializeAsync(ctx.Cache, first, $"xai_{model}", Label, ct));
        return saved.Match<ImageGenResult>(
            Right: path => new ImageGenResult.Success(path, Name, model, text, AspectRatioModule.toWire(aspectRatio),
                new Dictionary<string, object> { ["resolution"] = ResolutionModule.toWire(resolution) }),
            Left: error => this.Fail(error, model, text, aspectRatio));
    }

    private Resolution ResolutionFromConfig()
    {
        var (resolution, fallback) = ResolutionModule.fromConfig(Fs.Opt(ctx.Config.XaiResolution));
        if (fallback is { } note)
        {
            logger.LogWarning("{Warning}", note.Value.Message);
        }
        return resolution;
    }

    private Task<Either<HermesError, HttpAnswer>> PostAsync(XaiCredential credential, JsonObject body, CancellationToken ct)
    {
        var baseUrl = tokens.BaseUrlFor(credential, warning => logger.LogWarning("{Warning}", warning));
        var request = ctx.Http.Request(baseUrl + "/images/generations")
            .WithOAuthBearerToken(credential.Token)
            .WithHeader("User-Agent", HermesVersion.UserAgent);
        return ProviderHttp.PostJsonAsync(request, body, Label, RequestTimeout, ct);
    }
}
