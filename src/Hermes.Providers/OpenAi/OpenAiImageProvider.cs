using Hermes.Domain;
using Hermes.Providers.Core;
using Hermes.Providers.Http;
using LanguageExt;

namespace Hermes.Providers.OpenAi;

/// <summary>OpenAI gpt-image-2 at three quality tiers: POST {base}/images/generations with OPENAI_API_KEY; never sends response_format.</summary>
internal sealed class OpenAiImageProvider(HermesContext ctx) : IImageGenProvider
{
    private const string Label = "OpenAI";
    private readonly ProviderPipeline pipeline = new(ctx);

    public string Name => "openai";
    public string DisplayName => Catalog.DisplayName;
    public ProviderCatalog Catalog => Hermes.Domain.Catalog.openAi;

    public SetupSchema SetupSchema => new("OpenAI", "paid", "gpt-image-2 at low/medium/high quality tiers",
        [new SetupEnvVar("OPENAI_API_KEY", "OpenAI API key", "https://platform.openai.com/api-keys")]);

    private const string MissingFix = "OpenAI needs OPENAI_API_KEY (https://platform.openai.com/api-keys)";

    public Availability IsAvailable() => ctx.Environment.Has("OPENAI_API_KEY") ? Availability.Ready : Availability.NewMissing(MissingFix);

    public Task<ImageGenResult> GenerateAsync(string prompt, AspectRatio aspectRatio, GenerateOptions options, CancellationToken ct) =>
        BadOption(options) is { } bad
            ? Task.FromResult<ImageGenResult>(new ImageGenResult.Failure(bad, Name, options.Model, prompt, AspectRatioModule.toWire(aspectRatio)))
            : pipeline.RunAsync(this, ProduceAsync, prompt, aspectRatio, options, ct);

    /// <summary>An input fidelity the images API does not take (the output controls are the pipeline's); shared with the OpenAI-compatible endpoints.</summary>
    internal static HermesError? BadOption(GenerateOptions options)
    {
        if (options.InputFidelity is not { } fidelity)
        {
            return null;
        }
        if ((options.Sources ?? []).Count == 0)
        {
            return new HermesError(ErrorKind.InvalidArgument, $"input fidelity '{fidelity}' applies to edits only: give a source image");
        }
        var parsed = EditRequests.inputFidelity(fidelity);
        return parsed.IsError ? HermesError.Invalid(parsed.ErrorValue) : null;
    }

    private async Task<Either<HermesError, Produced>> ProduceAsync(ImageCall call, CancellationToken ct)
    {
        var key = ctx.Environment.Get("OPENAI_API_KEY").ToEither(() => new HermesError(ErrorKind.NotAvailable, MissingFix));
        var openAiModel = OpenAiModelModule.ofId(call.Model);
        var baseUrl = ctx.Environment.Get("OPENAI_BASE_URL").Map(u => u.TrimEnd('/')).IfNone("https://api.openai.com/v1");
        var body = Requests.openAi(openAiModel, call.Prompt, call.Aspect, call.Controls);
        call.Options.Progress?.Report(new GenerationProgress("generating", $"{call.Model} ({Catalog.Models.FirstOrDefault(m => m.Id == call.Model)?.Speed ?? "passed through"})"));
        var request = call.IsEdit ? EditCall(call, openAiModel, baseUrl) : HttpCall.PostJson(baseUrl + "/images/generations", Label, body);
        var answer = await key.BindAsync(k => ctx.Transport.SendAsync(
            request.WithHeader("Authorization", "Bearer " + k) with
            {
                BodyLimit = ImagesAnswerModule.maxBodyBytes,
            }, ct));
        var extras = new Dictionary<string, object> { ["size"] = Requests.openAiSize(call.Aspect, call.Controls) };
        if (call.IsEdit && call.Options.InputFidelity is { } fidelity)
        {
            extras["input_fidelity"] = fidelity;
        }
        if (Requests.openAiQuality(openAiModel, call.Controls) is { } quality)
        {
            extras["quality"] = quality.Value;
        }
        return answer.Bind(a => ProviderFailure.ImagesOf(Label, a)).Map(images => Produced.FromAnswer(images, extras, preferPublicUrl: false));
    }

    /// <summary>POST {base}/images/edits as multipart/form-data: each source an `image[]` file part with its own name and content type.</summary>
    private static HttpCall EditCall(ImageCall call, OpenAiModel model, string baseUrl)
    {
        var fidelity = Fidelity(call);
        var parts = EditRequests.openAi(model, call.Prompt, call.Aspect, call.Sources.Count, call.Mask is not null,
                call.Controls, Fs.Opt(fidelity));
        return HttpCall.PostMultipart(baseUrl + "/images/edits", Label, Form(parts, call));
    }

    /// <summary>The input fidelity of an edit as the form carries it; null when not given (BadOption has checked it).</summary>
    internal static string? Fidelity(ImageCall call) =>
        call.Options.InputFidelity is { } given ? EditRequests.inputFidelity(given).ResultValue : null;

    /// <summary>The domain's form as multipart parts: each file part the call's source (or mask) bytes under its own name.</summary>
    internal static IReadOnlyList<MultipartPart> Form(IEnumerable<FormPart> parts, ImageCall call) =>
        parts.Select(part => part switch
            {
                FormPart.File file => FilePart(file.name, file.file is FormFile.Source source ? call.Sources[source.index] : call.Mask!),
                FormPart.Field field => MultipartPart.Text(field.name, field.value),
                _ => throw new InvalidOperationException("unknown form part"),
            })
            .ToList();

    private static MultipartPart FilePart(string name, SourceImage image) => MultipartPart.File(name, image.FileName, image.MediaType, image.Bytes);
}
