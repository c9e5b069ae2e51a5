using System.Text.Json.Nodes;
using Hermes.Domain;
using Hermes.Providers.Cache;
using LanguageExt;

namespace Hermes.Providers.Core;

/// <summary>Turns an images API `data[0]` into a local file: base64 decoded to the cache, URLs downloaded at once (bare URL on failure).</summary>
public static class ImagePayload
{
    /// <summary>`data[0]` of a successful images API answer; an error status, a body that is not JSON or no image are typed errors.</summary>
    public static Either<HermesError, JsonObject> FirstImage(string label, HttpAnswer answer) =>
        (answer.IsSuccess ? ProviderHttp.JsonObjectOf(label, answer) : ProviderHttp.StatusError(label, answer))
            .Bind(json => json["data"] is JsonArray { Count: > 0 } data && data[0] is JsonObject first
                ? Either<HermesError, JsonObject>.Right(first)
                : new HermesError(ErrorKind.NoImage, $"{label} returned no image data"));

    public static async Task<Either<HermesError, string>> MaterializeAsync(ImageCache cache, JsonObject image, string prefix, string label, CancellationToken ct)
    {
        if (image["b64_json"] is JsonValue b64 && b64.TryGetValue<string>(out var base64) && base64.Length > 0)
        {
            var saved = await cache.SaveBase64Async(base64, prefix, ct);
            return saved.MapLeft(error => new HermesError(
                error.Failure == CacheFailure.InvalidBase64 ? ErrorKind.ProviderError : ErrorKind.Cache,
                $"{label} image could not be saved: {error.Message}"));
        }
        if (image["url"] is JsonValue urlValue && urlValue.TryGetValue<string>(out var url) && url.Length > 0)
        {
            return await cache.CacheOrFallbackAsync(url, prefix, ct);
        }
        return new HermesError(ErrorKind.NoImage, $"{label} response contained neither b64_json nor url");
    }
}
