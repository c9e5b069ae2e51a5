using Hermes.Domain;
using Hermes.Providers.Core;
using Hermes.Providers.Http;
using Hermes.Providers.OpenAi;
using LanguageExt;
using Rules = Hermes.Domain.Endpoints;

namespace Hermes.Providers.Endpoints;

/// <summary>
/// A named endpoint of config.yaml (image_gen.endpoints.NAME): an OpenAI-compatible gateway (Bearer key, ids passed through)
/// or an Azure OpenAI resource (api-key header, the model id is the deployment), on the OpenAI request builders and answer parser.
/// </summary>
internal sealed class EndpointImageProvider(HermesContext ctx, Endpoint endpoint) : IImageGenProvider
{
    private readonly ProviderPipeline pipeline = new(ctx);

    /// <summary>Registers every endpoint of the context's config.yaml after the providers already in the registry.</summary>
    public static ProviderRegistry RegisterConfigured(ProviderRegistry registry, HermesContext ctx)
    {
        foreach (var configured in ctx.Config.Endpoints)
        {
            registry.Register(new EndpointImageProvider(ctx, configured));
        }
        return registry;
    }

    public string Name => endpoint.Name;
    public string DisplayName => Catalog.DisplayName;
    public ProviderCatalog Catalog { get; } = Rules.catalog(endpoint);

    public SetupSchema SetupSchema => new(DisplayName, "configured", $"{Rules.kindName(endpoint.Kind)} endpoint at {endpoint.BaseUrl}",
        [new SetupEnvVar(endpoint.KeyEnv, $"the key of endpoint {endpoint.Name}", $"image_gen.endpoints.{endpoint.Name} in config.yaml")]);

    private string MissingFix => $"endpoint {endpoint.Name} needs its key in {endpoint.KeyEnv} (image_gen.endpoints.{endpoint.Name}.key_env)";

    public Availability IsAvailable() => ctx.Environment.Has(endpoint.KeyEnv) ? Availability.Ready : Availability.NewMissing(MissingFix);

    public EditSupport? EditSupportFor(string model) => Rules.editSupport;

    /// <summary>An endpoint speaks the OpenAI images API, so it takes OpenAI's output controls.</summary>
    public string OutputControlsAs => "openai";

    /// <summary>The OpenAI images API's `n`, up to the endpoint's max_images (1: one request an image, for a gateway that ignores n).</summary>
    public CountSupport CountFor(string model, bool isEdit) => endpoint.MaxImages > 1 ? CountSupport.NewNative(endpoint.MaxImages) : CountSupport.OnePerRequest;

    public Task<ImageGenResult> GenerateAsync(string prompt, AspectRatio aspectRatio, GenerateOptions options, CancellationToken ct) =>
        OpenAiImageProvider.BadOption(options) is { } bad
            ? Task.FromResult<ImageGenResult>(new ImageGenResult.Failure(bad, Name, options.Model, prompt, AspectRatioModule.toWire(aspectRatio)))
            : pipeline.RunAsync(this, ProduceAsync, prompt, aspectRatio, options, ct);

    private async Task<Either<HermesError, Produced>> ProduceAsync(ImageCall call, CancellationToken ct)
    {
        var key = ctx.Environment.Get(endpoint.KeyEnv).ToEither(() => new HermesError(ErrorKind.NotAvailable, MissingFix));
        key.IfRight(ctx.Secrets.Add);
        call.Options.Progress?.Report(new GenerationProgress("generating", $"{call.Model} on endpoint {endpoint.Name}"));
        var request = call.IsEdit
            ? HttpCall.PostMultipart(Rules.editUrl(endpoint, call.Model), DisplayName, OpenAiImageProvider.Form(Rules.editParts(endpoint, call.Model,
                call.Prompt, call.Aspect, call.Sources.Count, call.Mask is not null, call.Controls, Fs.Opt(OpenAiImageProvider.Fidelity(call))), call))
            : HttpCall.PostJson(Rules.generationUrl(endpoint, call.Model), DisplayName,
                Rules.generationBody(endpoint, call.Model, call.Prompt, call.Aspect, call.Controls));
        var answer = await key.BindAsync(k =>
        {
            var (header, value) = Rules.authHeader(endpoint, k);
            return ctx.Transport.SendAsync(request.WithHeader(header, value) with { BodyLimit = ImagesAnswerModule.maxBodyBytes }, ct);
        });
        var extras = new Dictionary<string, object> { ["size"] = Requests.openAiSize(call.Aspect, call.Controls), ["endpoint_kind"] = Rules.kindName(endpoint.Kind) };
        return answer.Bind(a => ProviderFailure.ImagesOf(DisplayName, a)).Map(images => Produced.FromAnswer(images, extras, preferPublicUrl: false));
    }
}
