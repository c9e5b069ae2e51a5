using Hermes.Domain;
using Hermes.Providers.Auth;
using Hermes.Providers.Core;
using Hermes.Providers.Http;
using LanguageExt;
using Microsoft.Extensions.Logging;

namespace Hermes.Providers.Xai;

/// <summary>xAI Grok Imagine: POST {base}/images/generations; one refresh-and-retry when a sign-in token is refused.</summary>
public sealed class XaiImageProvider : IImageGenProvider
{
    private const string Label = "xAI";
    private readonly HermesContext ctx;
    private readonly ProviderPipeline pipeline;
    private readonly XaiTokenManager tokens;
    private readonly ILogger logger;

    public XaiImageProvider(HermesContext ctx)
    {
        this.ctx = ctx;
        pipeline = new ProviderPipeline(ctx);
        tokens = new XaiTokenManager(ctx, new XaiOAuthClient(ctx));
        logger = ctx.Logging.CreateLogger<XaiImageProvider>();
    }

    public string Name => "xai";
    public string DisplayName => Catalog.DisplayName;
    public ProviderCatalog Catalog => Hermes.Domain.Catalog.xai;

    public SetupSchema SetupSchema => new("xAI Grok Imagine", "paid",
        "grok-imagine-image text-to-image; signs in with xAI Grok OAuth (SuperGrok) or uses XAI_API_KEY",
        [new SetupEnvVar("XAI_API_KEY", "xAI API key", "https://console.x.ai")]);

    private const string MissingFix = "xAI needs a key or a sign-in: set XAI_API_KEY (https://console.x.ai) or run `hermes auth add xai-oauth`";

    public Availability IsAvailable() => tokens.Peek().IsSome ? Availability.Ready : Availability.NewMissing(MissingFix);

    public Task<ImageGenResult> GenerateAsync(string prompt, AspectRatio aspectRatio, GenerateOptions options, CancellationToken ct) =>
        pipeline.RunAsync(this, ProduceAsync, prompt, aspectRatio, options, ct);

    private async Task<Either<HermesError, Produced>> ProduceAsync(ImageCall call, CancellationToken ct)
    {
        if (call.IsEdit)
        {
            var edit = XaiEdit.For(call, acceptsImageInput: null);
            var edited = await (await CredentialAsync(ct)).BindAsync(c => SendWithRefreshAsync(c, edit.Body, ct, XaiEdit.Path));
            return edited.Bind(a => ProviderFailure.ImagesOf(Label, a)).Map(edit.Produce);
        }
        var resolution = call.Options.Resolution ?? ResolutionFromConfig();
        var body = Requests.xai(call.Model, call.Prompt, call.Aspect, resolution);
        var credential = await CredentialAsync(ct);
        var answer = await credential.BindAsync(c => SendWithRefreshAsync(c, body, ct));
        var extras = new Dictionary<string, object> { ["resolution"] = ResolutionModule.toWire(resolution) };
        return answer.Bind(a => ProviderFailure.ImagesOf(Label, a)).Map(images => Produced.FromAnswer(images, extras, preferPublicUrl: true));
    }

    private async Task<Either<HermesError, XaiCredential>> CredentialAsync(CancellationToken ct)
    {
        var resolved = await tokens.ResolveAsync(ct);
        return resolved
            .MapLeft(error => new HermesError(ErrorKind.Auth, AuthErrorModule.message(error)))
            .Bind(found => found.ToEither(() => new HermesError(ErrorKind.NotAvailable, MissingFix)))
            .Map(credential =>
            {
                ctx.Secrets.Add(credential.Token);
                return credential;
            });
    }

    /// <summary>A 401 to a sign-in token refreshes that entry once and retries once; an API key is never refreshed.</summary>
    private async Task<Either<HermesError, HttpAnswer>> SendWithRefreshAsync(XaiCredential credential, System.Text.Json.Nodes.JsonObject body, CancellationToken ct, string path = "/images/generations")
    {
        var first = await ctx.Transport.SendAsync(Call(credential, body, path), ct);
        var refused = first.Match(Right: a => a.Status == 401 && credential.IsOAuth, Left: _ => false);
        if (!refused)
        {
            return first;
        }
        logger.LogInformation("xAI answered 401; refreshing the sign-in token once and retrying");
        var refreshed = await tokens.RefreshAsync(credential, force: true, ct);
        return await refreshed
            .MapLeft(error => new HermesError(ErrorKind.Auth, AuthErrorModule.message(error), 401))
            .BindAsync(r =>
            {
                ctx.Secrets.Add(r.Credential.Token);
                return ctx.Transport.SendAsync(Call(r.Credential, body, path), ct);
            });
    }

    private HttpCall Call(XaiCredential credential, System.Text.Json.Nodes.JsonObject body, string path)
    {
        var baseUrl = tokens.BaseUrlFor(credential, warning => logger.LogWarning("{Warning}", warning));
        return HttpCall.PostJson(baseUrl + path, Label, body)
            .WithHeader("Authorization", "Bearer " + credential.Token) with { BodyLimit = ImagesAnswerModule.maxBodyBytes };
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
}
