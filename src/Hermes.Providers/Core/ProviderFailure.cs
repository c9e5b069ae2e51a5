using Hermes.Domain;
using Hermes.Providers.Http;

namespace Hermes.Providers.Core;

/// <summary>The one classification of provider answers that are failures; every provider reports the same failure with the same error type.</summary>
internal static class ProviderFailure
{
    /// <summary>An HTTP error status with the provider's own (sanitized) message; safety refusals are content_policy.</summary>
    public static HermesError Status(string label, HttpAnswer answer) =>
        new(ApiError.classify(answer.Status, answer.Text), ApiError.describe(label, answer.Status, answer.Text), answer.Status);

    public static HermesError Answer(string label, AnswerError error) => new(AnswerErrorModule.kind(error), AnswerErrorModule.message(label, error));

    /// <summary>A successful status with a JSON object body; anything else a typed error.</summary>
    public static LanguageExt.Either<HermesError, System.Text.Json.Nodes.JsonObject> ObjectOf(string label, HttpAnswer answer)
    {
        if (!answer.IsSuccess)
        {
            return Status(label, answer);
        }
        try
        {
            using var document = System.Text.Json.JsonDocument.Parse(answer.Body.Bytes);
            return System.Text.Json.Nodes.JsonObject.Create(document.RootElement.Clone()) is { } json
                ? json
                : Answer(label, AnswerError.NotAnObject);
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or InvalidOperationException)
        {
            return Answer(label, AnswerError.NewNotJson(e.Message));
        }
    }

    /// <summary>A successful status parsed as an images answer; anything else a typed error.</summary>
    public static LanguageExt.Either<HermesError, ImagesAnswer> ImagesOf(string label, HttpAnswer answer)
    {
        if (!answer.IsSuccess)
        {
            return Status(label, answer);
        }
        var parsed = ImagesAnswerModule.parse(answer.Body.Bytes);
        return parsed.IsOk ? parsed.ResultValue : Answer(label, parsed.ErrorValue);
    }
}
