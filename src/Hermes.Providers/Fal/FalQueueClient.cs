using System.Text.Json.Nodes;
using Flurl.Http;
using Hermes.Domain;
using Hermes.Providers.Core;
using LanguageExt;

namespace Hermes.Providers.Fal;

/// <summary>FAL's queue API: submit, poll the status URL until COMPLETED, fetch the result. The key only ever goes to the queue's own origin.</summary>
public sealed class FalQueueClient(HermesContext ctx, FalEndpoint endpoint)
{
    private string Label => endpoint.Route.IsGateway ? "the Nous FAL gateway" : "FAL";

    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(60);
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(500);
    public TimeSpan QueueTimeout { get; init; } = TimeSpan.FromMinutes(10);

    public async Task<Either<HermesError, JsonObject>> RunAsync(string modelId, JsonObject payload, IProgress<GenerationProgress>? progress, CancellationToken ct)
    {
        var submitted = await ProviderHttp.PostJsonAsync(Authorized(endpoint.QueueBase + "/" + modelId)
            .WithHeader("x-idempotency-key", Guid.NewGuid().ToString()), payload, Label, RequestTimeout, ct);
        var handle = submitted.Bind(answer => answer.IsSuccess ? ProviderHttp.JsonObjectOf(Label, answer) : Rejected(modelId, answer))
            .Bind(json => QueueUrls(modelId, json));
        return await handle.BindAsync(urls => PollAsync(modelId, urls.Status, urls.Response, progress, ct));
    }

    private IFlurlRequest Authorized(string url) =>
        ctx.Http.Request(url).WithHeader("Authorization", "Key " + endpoint.Key).WithHeader("User-Agent", HermesVersion.UserAgent);

    private HermesError Rejected(string modelId, HttpAnswer answer)
    {
        var error = ProviderHttp.StatusError(Label, answer);
        return endpoint.Route.IsGateway && answer.Status is >= 400 and < 500
            ? error with
            {
                Message = $"the Nous Subscription gateway rejected model '{modelId}' (HTTP {answer.Status}): {ApiError.providerMessage(answer.Body)}; set FAL_KEY or choose another model",
            }
            : error;
    }

    /// <summary>status_url and response_url from the submit answer (derived when absent); they must stay on the queue's origin.</summary>
    private Either<HermesError, (string Status, string Response)> QueueUrls(string modelId, JsonObject submitted)
    {
        var requestId = submitted["request_id"]?.GetValue<string>();
        if (string.IsNullOrWhiteSpace(requestId))
        {
            return new HermesError(ErrorKind.ProviderError, $"{Label} accepted the request without a request_id");
        }
        var fallback = $"{endpoint.QueueBase}/{modelId}/requests/{requestId}";
        var response = submitted["response_url"]?.GetValue<string>() ?? fallback;
        var status = submitted["status_url"]?.GetValue<string>() ?? fallback + "/status";
        var origin = HostAllowlist.originOf(endpoint.QueueBase);
        foreach (var url in new[] { response, status })
        {
            if (!Equals(HostAllowlist.originOf(url), origin))
            {
                return new HermesError(ErrorKind.ProviderError, $"{Label} pointed the queue at another host ({Redact.Url(url)}); refusing to send the key there");
            }
        }
        return (status, response);
    }

    private async Task<Either<HermesError, JsonObject>> PollAsync(string modelId, string statusUrl, string responseUrl, IProgress<GenerationProgress>? progress, CancellationToken ct)
    {
        var deadline = ctx.Clock.GetUtcNow() + QueueTimeout;
        while (true)
        {
            var polled = await ProviderHttp.GetAsync(Authorized(statusUrl), Label, RequestTimeout, ct);
            var status = polled.Bind(answer => answer.IsSuccess ? ProviderHttp.JsonObjectOf(Label, answer) : ProviderHttp.StatusError(Label, answer));
            if (status.Case is HermesError error)
            {
                return error;
            }
            var json = (JsonObject)status.Case!;
            var state = json["status"]?.GetValue<string>() ?? "";
            switch (state)
            {
                case "COMPLETED":
                    if (json["error"] is JsonNode failure && failure.GetValueKind() == System.Text.Json.JsonValueKind.String)
                    {
                        return new HermesError(ErrorKind.ProviderError, $"{Label} failed to generate with {modelId}: {failure.GetValue<string>()}");
                    }
                    var result = await ProviderHttp.GetAsync(Authorized(responseUrl), Label, RequestTimeout, ct);
                    return result.Bind(answer => answer.IsSuccess ? ProviderHttp.JsonObjectOf(Label, answer) : ProviderHttp.StatusError(Label, answer));
                case "IN_QUEUE":
                    progress?.Report(new GenerationProgress("queued", json["queue_position"] is JsonNode position ? $"position {position}" : modelId));
                    break;
                case "IN_PROGRESS":
                    progress?.Report(new GenerationProgress("generating", modelId));
                    break;
                default:
                    return new HermesError(ErrorKind.ProviderError, $"{Label} reported an unknown queue status '{state}'");
            }
            if (ctx.Clock.GetUtcNow() > deadline)
            {
                return new HermesError(ErrorKind.Timeout, $"{Label} did not finish {modelId} within {QueueTimeout.TotalMinutes:0.#} min");
            }
            await Task.Delay(PollInterval, ctx.Clock, ct);
        }
    }
}
