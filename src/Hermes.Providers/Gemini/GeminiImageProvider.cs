using Hermes.Domain;
using Hermes.Providers.Core;
using Hermes.Providers.Http;
using LanguageExt;

namespace Hermes.Providers.Gemini;

/// <summary>Google Gemini image models: POST {base}/v1beta/models/{model}:generateContent with the key in x-goog-api-key.</summary>
internal sealed class GeminiImageProvider(HermesContext ctx) : IImageGenProvider
{
    private const string Label = "Google Gemini";
    private const string MissingFix = "Google Gemini needs GEMINI_API_KEY (or GOOGLE_API_KEY) (https://aistudio.google.com/apikey)";
    private readonly ProviderPipeline pipeline = new(ctx);

    public string Name => "gemini";
    public string DisplayName => Catalog.DisplayName;
    public ProviderCatalog Catalog => Hermes.Domain.Catalog.gemini;

    public SetupSchema SetupSchema => new("Google Gemini", "paid", "Gemini image models (Nano Banana): generation and edits",
        [new SetupEnvVar("GEMINI_API_KEY", "Gemini API key (GOOGLE_API_KEY also works)", "https://aistudio.google.com/apikey")]);

    public Availability IsAvailable() => Key().IsSome ? Availability.Ready : Availability.NewMissing(MissingFix);

    public Task<ImageGenResult> GenerateAsync(string prompt, AspectRatio aspectRatio, GenerateOptions options, CancellationToken ct) =>
        pipeline.RunAsync(this, ProduceAsync, prompt, aspectRatio, options, ct);

    private Option<string> Key() => ctx.Environment.Get("GEMINI_API_KEY") || ctx.Environment.Get("GOOGLE_API_KEY");

    private async Task<Either<HermesError, Produced>> ProduceAsync(ImageCall call, CancellationToken ct)
    {
        var key = Key().ToEither(() => new HermesError(ErrorKind.NotAvailable, MissingFix));
        key.IfRight(ctx.Secrets.Add);
        var baseUrl = ctx.Environment.Get("GEMINI_BASE_URL").IfNone(GeminiRequests.defaultBaseUrl);
        var sources = Microsoft.FSharp.Collections.ListModule.OfSeq(call.Sources.Select(s => new InlinePart(s.MediaType, s.Bytes)));
        var body = GeminiRequests.body(call.Model, call.Prompt, call.Aspect, call.Controls, sources);
        call.Options.Progress?.Report(new GenerationProgress("generating", $"{call.Model} ({Catalog.Models.FirstOrDefault(m => m.Id == call.Model)?.Speed ?? "passed through"})"));
        var answer = await key.BindAsync(k => ctx.Transport.SendAsync(
            HttpCall.PostJson(GeminiRequests.url(baseUrl, call.Model), Label, body).WithHeader("x-goog-api-key", k) with
            {
                BodyLimit = ImagesAnswerModule.maxBodyBytes,
            }, ct));
        return answer.Bind(a => Read(call, a));
    }

    private static Either<HermesError, Produced> Read(ImageCall call, HttpAnswer answer)
    {
        if (!answer.IsSuccess)
        {
            return ProviderFailure.Status(Label, answer);
        }
        var parsed = GeminiAnswerModule.parse(answer.Body.Bytes);
        if (parsed.IsError)
        {
            return ProviderFailure.Answer(Label, parsed.ErrorValue);
        }
        var read = parsed.ResultValue;
        var verdict = GeminiAnswerModule.verdict(read);
        if (GeminiAnswerModule.failure(Label, verdict) is { } failure)
        {
            return new HermesError(failure.Value.Item1, failure.Value.Item2);
        }
        var (ratio, size) = GeminiRequests.imageConfig(call.Model, call.Aspect, call.Controls);
        var extras = new Dictionary<string, object> { ["aspect_ratio"] = ratio, ["image_size"] = size };
        if (read.Text is { } text)
        {
            extras["model_text"] = text.Value;
        }
        if (!read.Usage.IsEmpty)
        {
            extras["usage"] = read.Usage.ToDictionary(kv => kv.Key, kv => kv.Value);
        }
        var images = read.Images.Select(image => (ProducedImage)new ProducedImage.Encoded(image.Base64)).ToList();
        return new Produced(images, extras);
    }
}
