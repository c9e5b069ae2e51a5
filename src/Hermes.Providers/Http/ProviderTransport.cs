using System.Net.Http.Headers;
using Flurl.Http;
using Hermes.Domain;
using Hermes.Providers.Core;
using LanguageExt;
using Polly;
using Polly.Retry;

namespace Hermes.Providers.Http;

/// <summary>
/// The one way a provider call goes out: User-Agent, a total deadline, bounded bodies, typed failures, and the one retry
/// policy of trust.md (429, 503 and connections that failed before the request was sent; at most 3 attempts).
/// </summary>
public sealed class ProviderTransport
{
    private readonly IFlurlClient http;
    private readonly ResiliencePipeline<IFlurlResponse> retry;

    public ProviderTransport(IFlurlClient http, TimeProvider clock, TransportTimeouts timeouts)
    {
        this.http = http;
        Timeouts = timeouts;
        retry = new ResiliencePipelineBuilder<IFlurlResponse> { TimeProvider = clock }
            .AddRetry(new RetryStrategyOptions<IFlurlResponse>
            {
                MaxRetryAttempts = RetryRule.maxAttempts - 1,
                ShouldHandle = args => ValueTask.FromResult(args.Outcome switch
                {
                    { Result: { } response } => RetryRule.isRetryableStatus(response.StatusCode),
                    { Exception: { } e } => FailedBeforeSending(e),
                    _ => false,
                }),
                DelayGenerator = args => ValueTask.FromResult<TimeSpan?>(DelayFor(args.Outcome.Result, args.AttemptNumber + 1, clock)),
            })
            .Build();
    }

    public TransportTimeouts Timeouts { get; }

    /// <summary>Sends the call (retrying as allowed) and reads the whole body through the call's limit.</summary>
    public async Task<Either<HermesError, HttpAnswer>> SendAsync(HttpCall call, CancellationToken ct)
    {
        var limit = call.Deadline ?? Timeouts.Total;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(limit);
        try
        {
            using var response = await SendWithRetryAsync(call, deadline.Token);
            var body = await BoundedReader.ReadAsync(response.ResponseMessage.Content, call.BodyLimit, call.Label, Timeouts.Idle, deadline.Token);
            return body.Map(b => new HttpAnswer(response.StatusCode, b));
        }
        catch (Exception e) when (Failure(e, call.Label, limit, ct) is { } error)
        {
            return error;
        }
        catch (Exception e) when (ct.IsCancellationRequested && e is not OperationCanceledException)
        {
            throw new OperationCanceledException("the caller cancelled", e, ct);
        }
    }

    /// <summary>Sends the call and hands the open response to <paramref name="read"/> within the same total deadline; error statuses are read bounded.</summary>
    public async Task<Either<HermesError, T>> StreamAsync<T>(
        HttpCall call, Func<HttpContent, CancellationToken, Task<Either<HermesError, T>>> read, Func<HttpAnswer, HermesError> onErrorStatus, CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(Timeouts.Total);
        try
        {
            using var response = await SendWithRetryAsync(call, deadline.Token);
            if (response.StatusCode >= 300)
            {
                var body = await BoundedReader.ReadAsync(response.ResponseMessage.Content, Limits.maxJsonBytes, call.Label, Timeouts.Idle, deadline.Token);
                return body.Bind<T>(b => onErrorStatus(new HttpAnswer(response.StatusCode, b)));
            }
            return await read(response.ResponseMessage.Content, deadline.Token);
        }
        catch (Exception e) when (Failure(e, call.Label, Timeouts.Total, ct) is { } error)
        {
            return error;
        }
        catch (Exception e) when (ct.IsCancellationRequested && e is not OperationCanceledException)
        {
            throw new OperationCanceledException("the caller cancelled", e, ct);
        }
    }

    private Task<IFlurlResponse> SendWithRetryAsync(HttpCall call, CancellationToken ct) =>
        retry.ExecuteAsync(async token =>
        {
            var request = http.Request(call.Url).AllowAnyHttpStatus().WithHeader("User-Agent", HermesVersion.UserAgent);
            foreach (var (name, value) in call.Headers)
            {
                request = request.WithHeader(name, value);
            }
            return await request.SendAsync(call.Method, call.Content?.Invoke(), HttpCompletionOption.ResponseHeadersRead, token);
        }, ct).AsTask();

    private static TimeSpan DelayFor(IFlurlResponse? response, int attempt, TimeProvider clock)
    {
        var header = response?.ResponseMessage.Headers.RetryAfter is { } retryAfter ? RetryAfterText(retryAfter) : null;
        var told = RetryRule.retryAfter(Core.Fs.Opt(header), clock.GetUtcNow());
        return told is { } wait ? wait.Value : RetryRule.backoff(attempt, Random.Shared.NextDouble());
    }

    private static string? RetryAfterText(RetryConditionHeaderValue value) =>
        value.Delta is { } delta ? ((long)delta.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture)
        : value.Date is { } date ? date.ToString("r", System.Globalization.CultureInfo.InvariantCulture)
        : null;

    /// <summary>Only a connection that was never made is safe to retry: the provider cannot have run the request.</summary>
    private static bool FailedBeforeSending(Exception e) =>
        Chain(e).OfType<HttpRequestException>().Any(h => h.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError)
        && !Chain(e).OfType<RefusedAddressException>().Any();

    private static IEnumerable<Exception> Chain(Exception e)
    {
        for (var current = e; current is not null; current = current.InnerException)
        {
            yield return current;
        }
    }

    /// <summary>Timeouts, refused addresses and network failures as values; the caller's own cancellation stays an exception.</summary>
    public static HermesError? Failure(Exception e, string label, TimeSpan timeout, CancellationToken ct)
    {
        if (ct.IsCancellationRequested)
        {
            return null;
        }
        if (Chain(e).OfType<RefusedAddressException>().FirstOrDefault() is { } refused)
        {
            return new HermesError(ErrorKind.InvalidResponse, $"{label}: {refused.Message}");
        }
        return e switch
        {
            OperationCanceledException or FlurlHttpTimeoutException or FlurlHttpException { InnerException: OperationCanceledException } =>
                new HermesError(ErrorKind.Timeout, $"{label} did not answer within {timeout.TotalSeconds:0.#} s"),
            FlurlHttpException f => new HermesError(ErrorKind.Network, $"{label} could not be reached: {(f.InnerException ?? f).Message}"),
            HttpRequestException or IOException => new HermesError(ErrorKind.Network, $"{label} could not be reached: {e.Message}"),
            _ => null,
        };
    }
}
