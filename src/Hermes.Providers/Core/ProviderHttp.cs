using System.Text.Json.Nodes;
using Flurl.Http;
using Hermes.Domain;
using LanguageExt;

namespace Hermes.Providers.Core;

/// <summary>A provider's HTTP answer: status and body text.</summary>
public sealed record HttpAnswer(int Status, string Body)
{
    public bool IsSuccess => Status is >= 200 and < 300;
}

/// <summary>The one place provider calls turn network failures and timeouts into typed errors.</summary>
public static class ProviderHttp
{
    public static async Task<Either<HermesError, HttpAnswer>> SendAsync(
        Func<CancellationToken, Task<IFlurlResponse>> send, string label, TimeSpan timeout, CancellationToken ct)
    {
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timer.CancelAfter(timeout);
        try
        {
            using var response = await send(timer.Token);
            return new HttpAnswer(response.StatusCode, await response.GetStringAsync());
        }
        catch (Exception e) when (Failure(e, label, timeout, ct) is { } error)
        {
            return error;
        }
        catch (Exception e) when (ct.IsCancellationRequested && e is not OperationCanceledException)
        {
            throw new OperationCanceledException("the caller cancelled", e, ct);
        }
    }

    public static Task<Either<HermesError, HttpAnswer>> PostJsonAsync(IFlurlRequest request, JsonNode body, string label, TimeSpan timeout, CancellationToken ct) =>
        SendAsync(token => request.AllowAnyHttpStatus().PostJsonAsync(body, HttpCompletionOption.ResponseContentRead, token), label, timeout, ct);

    public static Task<Either<HermesError, HttpAnswer>> GetAsync(IFlurlRequest request, string label, TimeSpan timeout, CancellationToken ct) =>
        SendAsync(token => request.AllowAnyHttpStatus().GetAsync(HttpCompletionOption.ResponseContentRead, token), label, timeout, ct);

    /// <summary>An HTTP error status as a typed error carrying the status and the provider's own message.</summary>
    public static HermesError StatusError(string label, HttpAnswer answer) =>
        new(ApiError.kindOfStatus(answer.Status), ApiError.describe(label, answer.Status, answer.Body), answer.Status);

    /// <summary>Timeouts and network failures as values; the caller's own cancellation stays an exception.</summary>
    public static HermesError? Failure(Exception e, string label, TimeSpan timeout, CancellationToken ct) => e switch
    {
        _ when ct.IsCancellationRequested => null,
        OperationCanceledException or FlurlHttpTimeoutException =>
            new HermesError(ErrorKind.Timeout, $"{label} did not answer within {timeout.TotalSeconds:0.#} s"),
        FlurlHttpException { InnerException: OperationCanceledException } =>
            new HermesError(ErrorKind.Timeout, $"{label} did not answer within {timeout.TotalSeconds:0.#} s"),
        FlurlHttpException f => new HermesError(ErrorKind.Network, $"{label} could not be reached: {(f.InnerException ?? f).Message}"),
        HttpRequestException or IOException => new HermesError(ErrorKind.Network, $"{label} could not be reached: {e.Message}"),
        _ => null,
    };

    /// <summary>Parses a JSON object body, or a typed error naming the provider.</summary>
    public static Either<HermesError, JsonObject> JsonObjectOf(string label, HttpAnswer answer)
    {
        try
        {
            return JsonNode.Parse(answer.Body) is JsonObject obj
                ? obj
                : new HermesError(ErrorKind.ProviderError, $"{label} returned JSON that is not an object");
        }
        catch (System.Text.Json.JsonException)
        {
            return new HermesError(ErrorKind.ProviderError, $"{label} returned a body that is not JSON: {ApiError.oneLine(120, answer.Body)}");
        }
    }
}
