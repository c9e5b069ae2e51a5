using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Hermes.Domain;
using Hermes.Providers.Auth;
using Hermes.Providers.Config;
using Hermes.Providers.Core;
using Hermes.Providers.Http;
using LanguageExt;
using Microsoft.Extensions.Logging;
using Microsoft.FSharp.Collections;
using Microsoft.FSharp.Core;
using static LanguageExt.Prelude;

namespace Hermes.Providers.Xai;

/// <summary>
/// xAI Grok Imagine: POST {base}/images/generations with storage_options; the catalog merged with xAI's live model list;
/// one refresh-and-retry when a sign-in token is refused (401, or 403 unauthenticated:bad-credentials).
/// </summary>
internal sealed class XaiImageProvider : IImageGenProvider, ILiveModelCatalog
{
    private const string Label = "xAI";
    private readonly HermesContext ctx;
    private readonly ProviderPipeline pipeline;
    private readonly XaiTokenManager tokens;
    private readonly Lazy<XaiStorageSettings> storageSettings;
    private readonly ILogger logger;

    public XaiImageProvider(HermesContext ctx)
    {
        this.ctx = ctx;
        pipeline = new ProviderPipeline(ctx);
        tokens = new XaiTokenManager(ctx, new XaiOAuthClient(ctx));
        Models = new XaiModelCatalog(ctx, ModelsRequestAsync);
        storageSettings = new Lazy<XaiStorageSettings>(ReadStorageSettings);
        logger = ctx.Logging.CreateLogger<XaiImageProvider>();
    }

    public string Name => "xai";
    public string DisplayName => Catalog.DisplayName;

    /// <summary>The static models plus the last known live ones; never a request.</summary>
    public ProviderCatalog Catalog => Models.Known;

    /// <summary>The live model list of this provider instance (edits ask it which models take image input).</summary>
    internal XaiModelCatalog Models { get; }

    public SetupSchema SetupSchema => new("xAI Grok Imagine", "paid",
        "grok-imagine-image text-to-image; signs in with xAI Grok OAuth (SuperGrok) or uses XAI_API_KEY",
        [new SetupEnvVar("XAI_API_KEY", "xAI API key", "https://console.x.ai")]);

    private const string MissingFix = "xAI needs a key or a sign-in: set XAI_API_KEY (https://console.x.ai) or run `hermes auth add xai-oauth`";

    public Availability IsAvailable() => tokens.Peek().IsSome ? Availability.Ready : Availability.NewMissing(MissingFix);

    /// <summary>The merged catalog: curated models first, then the ones only xAI's live list names.</summary>
    public async Task<IReadOnlyList<ModelInfo>> ListModelsAsync(CancellationToken ct) => (await Models.FreshAsync(ct)).Models.ToList();

    public async Task<ImageGenResult> GenerateAsync(string prompt, AspectRatio aspectRatio, GenerateOptions options, CancellationToken ct)
    {
        if (!KnowsChosenModel(options.Model))
        {
            await Models.FreshAsync(ct);
        }
        return await pipeline.RunAsync(this, ProduceAsync, prompt, aspectRatio, options, ct);
    }

    private async Task<Either<HermesError, Produced>> ProduceAsync(ImageCall call, CancellationToken ct)
    {
        if (call.IsEdit)
        {
            var accepts = await Models.AcceptsImageInputAsync(call.Model, ct);
            var edit = XaiEdit.For(call, accepts is null ? null : accepts.Value);
            var edited = await (await CredentialAsync(ct)).BindAsync(c => SendWithRefreshAsync(c, XaiEdit.Path, edit.Body, ct));
            return edited.Bind(a => ProviderFailure.ImagesOf(Label, a)).Map(edit.Produce);
        }
        var resolution = call.Options.Resolution ?? (call.Controls.Resolution is { } mapped ? mapped.Value : ResolutionFromConfig());
        var storage = StorageOptions();
        var body = Requests.xai(call.Model, call.Prompt, call.Aspect, resolution, storage, call.Controls);
        var credential = await CredentialAsync(ct);
        var answer = await credential.BindAsync(c => SendWithRefreshAsync(c, "/images/generations", body, ct));
        var extras = new Dictionary<string, object>
        {
            ["resolution"] = ResolutionModule.toWire(resolution),
            ["aspect_ratio"] = Requests.xaiAspectRatio(call.Aspect, call.Controls),
            ["storage_enabled"] = storage is not null,
        };
        return answer.Bind(a => ProviderFailure.ImagesOf(Label, a)).Map(images => XaiAnswer.Produce(call.Model, images, extras, logger));
    }

    /// <summary>Whether the last known catalog takes the model this call would run without a fallback; if not, the live list may know it.</summary>
    private bool KnowsChosenModel(string? requested)
    {
        var env = new List<Tuple<string, string>>();
        if (Catalog.ModelEnvVar is { } variable)
        {
            ctx.Environment.Get(variable.Value).IfSome(value => env.Add(System.Tuple.Create(variable.Value, value)));
        }
        var resolved = ModelPrecedence.resolve(Catalog, ctx.Config.ImageGen, Fs.Opt(requested), MapModule.OfSeq(env));
        return resolved.IsOk && resolved.ResultValue.Item2.IsEmpty;
    }

    internal async Task<Either<HermesError, XaiCredential>> CredentialAsync(CancellationToken ct)
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

    /// <summary>
    /// A 401, or a 403 whose code is unauthenticated:bad-credentials, to a sign-in token refreshes that entry once and retries once;
    /// an API key is never refreshed, and spending-limit or entitlement 403s are reported as they are.
    /// </summary>
    internal async Task<Either<HermesError, HttpAnswer>> SendWithRefreshAsync(XaiCredential credential, string path, JsonObject body, CancellationToken ct)
    {
        var first = await ctx.Transport.SendAsync(PostCall(credential, path, body), ct);
        var refusedStatus = first.Match(Right: a => credential.IsOAuth && IsRefusedToken(a) ? a.Status : 0, Left: _ => 0);
        if (refusedStatus == 0)
        {
            return first;
        }
        logger.LogInformation("xAI answered {Status} to the sign-in token; refreshing it once (or moving to the next credential) and retrying", refusedStatus);
        var next = await tokens.RefreshOrFailoverAsync(credential, ct);
        return await next
            .MapLeft(error => new HermesError(ErrorKind.Auth, AuthErrorModule.message(error), refusedStatus))
            .BindAsync(c =>
            {
                ctx.Secrets.Add(c.Token);
                return ctx.Transport.SendAsync(PostCall(c, path, body), ct);
            });
    }

    private static bool IsRefusedToken(HttpAnswer answer) =>
        answer.Status == 401 || XaiAuthGate.isStaleTokenForbidden(answer.Status, answer.Text);

    private HttpCall PostCall(XaiCredential credential, string path, JsonObject body) =>
        Authorized(HttpCall.PostJson(BaseUrl(credential) + path, Label, body), credential) with { BodyLimit = ImagesAnswerModule.maxBodyBytes };

    private static HttpCall Authorized(HttpCall call, XaiCredential credential) =>
        call.WithHeader("Authorization", "Bearer " + credential.Token);

    private string BaseUrl(XaiCredential credential) =>
        tokens.BaseUrlFor(credential, warning => logger.LogWarning("{Warning}", warning));

    /// <summary>The live list's GET for the credential this call would use; None without credentials.</summary>
    private async Task<Option<HttpCall>> ModelsRequestAsync(CancellationToken ct)
    {
        var credential = await CredentialAsync(ct);
        return credential.Match(
            Right: c => Some(Authorized(HttpCall.Get(BaseUrl(c) + "/image-generation-models", Label), c)),
            Left: _ => Option<HttpCall>.None);
    }

    /// <summary>storage_options for one request: a fresh file name, and image_gen.xai.storage.* from config.yaml.</summary>
    private FSharpOption<XaiStorage> StorageOptions()
    {
        var suffix = Convert.ToHexString(RandomNumberGenerator.GetBytes(4)).ToLowerInvariant();
        return XaiStorageModule.fromSettings(storageSettings.Value, XaiStorageModule.filename(ctx.Clock.GetUtcNow(), suffix));
    }

    private XaiStorageSettings ReadStorageSettings()
    {
        // A config.yaml that does not load leaves the defaults; the context already reported it.
        FSharpOption<string> Raw(string key) =>
            Fs.Opt(HermesConfig.Get(ctx.Home, "image_gen.xai.storage." + key).MatchUnsafe(Right: value => value.IfNoneUnsafe((string?)null), Left: _ => null));
        return new XaiStorageSettings(Raw("enabled"), Raw("public_url"), Raw("expires_after"));
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
