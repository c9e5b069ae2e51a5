using System.Text.Json.Nodes;
using Hermes.Domain;
using Hermes.Providers.Core;
using Hermes.Providers.Http;
using LanguageExt;
using Microsoft.Extensions.Logging;

namespace Hermes.Providers.Fal;

/// <summary>
/// FAL's queue API: submit, poll the status URL until COMPLETED, fetch the result; when the caller cancels, the job is
/// cancelled through its cancel URL. The key only ever goes to the queue's own origin.
/// </summary>
internal sealed class FalQueueClient(HermesContext ctx, FalEndpoint endpoint)
{
    private const long AnswerLimit = 4 * 1024 * 1024;
    private readonly ILogger logger = ctx.Logging.CreateLogger<FalQueueClient>();

    private string Label => endpoint.Route.IsGateway ? "the Nous FAL gateway" : "FAL";

    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(500);
    public TimeSpan QueueTimeout { get; init; } = TimeSpan.FromMinutes(10);

    private sealed record QueueHandle(string Status, string Response, string Cancel);

    public async Task<Either<HermesError, JsonObject>> RunAsync(string modelId, JsonObject payload, IProgress<GenerationProgress>? progress, CancellationToken ct)
    {
        var submit = Authorized(HttpCall.PostJson(endpoint.QueueBase + "/" + modelId, Label, payload))
            .WithHeader("x-idempotency-key", Guid.NewGuid().ToString());
        var submitted = await ctx.Transport.SendAsync(submit, ct);
        var handle = submitted
            .Bind(answer => answer.IsSuccess ? ProviderFailure.ObjectOf(Label, answer) : Rejected(modelId, answer))
            .Bind(json => QueueUrls(modelId, json));
        return await handle.BindAsync(urls => PollOrCancelAsync(modelId, urls, progress, ct));
    }

    private HttpCall Authorized(HttpCall call) => call.WithHeader("Authorization", "Key " + endpoint.Key) with { BodyLimit = AnswerLimit };

    private HermesError Rejected(string modelId, HttpAnswer answer)
    {
        var error = ProviderFailure.Status(Label, answer);
        return endpoint.Route.IsGateway && answer.Status is >= 400 and < 500
            ? error with { Message = FalGateway.rejection(modelId, answer.Status, ApiError.providerMessage(answer.Text)) }
            : error;
    }

    /// <summary>status_url, response_url and cancel_url from the submit answer (derived when absent); they must stay on the queue's origin.</summary>
    private Either<HermesError, QueueHandle> QueueUrls(string modelId, JsonObject submitted)
    {
        if (JsonFields.Text(submitted["request_id"]) is not { } requestId)
        {
            return new HermesError(ErrorKind.InvalidResponse, $"{Label} accepted the request without a request_id");
        }
        var fallback = $"{endpoint.QueueBase}/{modelId}/requests/{Uri.EscapeDataString(requestId)}";
        var handle = new QueueHandle(
            JsonFields.Text(submitted["status_url"]) ?? fallback + "/status",
            JsonFields.Text(submitted["response_url"]) ?? fallback,
            JsonFields.Text(submitted["cancel_url"]) ?? fallback + "/cancel");
        var origin = HostAllowlist.originOf(endpoint.QueueBase);
        foreach (var url in new[] { handle.Status, handle.Response, handle.Cancel })
        {
            if (!Equals(HostAllowlist.originOf(url), origin))
            {
                return new HermesError(ErrorKind.InvalidResponse, $"{Label} pointed the queue at another host ({Redact.Url(url)}); refusing to send the key there");
            }
        }
        return handle;
    }

    private async Task<Either<HermesError, JsonObject>> PollOrCancelAsync(string modelId, QueueHandle handle, IProgress<GenerationProgress>? progress, CancellationToken ct)
    {
        try
        {
            return await PollAsync(modelId, handle, progress, ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            await CancelJobAsync(handle);
            throw;
        }
    }

    /// <summary>Tells FAL to drop a job the caller no longer wants, so it is not billed for nothing; bounded so Ctrl-C stays quick.</summary>
    private async Task CancelJobAsync(QueueHandle handle)
    {
        using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        var cancelled = await ctx.Transport.SendAsync(Authorized(new HttpCall(HttpMethod.Put, handle.Cancel, Label)), grace.Token);
        cancelled.Match(
            Right: answer => logger.LogInformation("asked {Label} to cancel the job: HTTP {Status}", Label, answer.Status),
            Left: error => logger.LogWarning("could not cancel the {Label} job: {Reason}", Label, error.Message));
    }

    private async Task<Either<HermesError, JsonObject>> PollAsync(string modelId, QueueHandle handle, IProgress<GenerationProgress>? progress, CancellationToken ct)
    {
        var deadline = ctx.Clock.GetUtcNow() + QueueTimeout;
        while (true)
        {
            var polled = await ctx.Transport.SendAsync(Authorized(HttpCall.Get(handle.Status, Label)), ct);
            var status = polled.Bind(answer => ProviderFailure.ObjectOf(Label, answer));
            var next = await status.BindAsync(json => Step(modelId, handle, json, progress, ct));
            if (next.Match(Right: result => result.IsSome, Left: _ => true))
            {
                return next.Map(result => result.IfNone(() => new JsonObject()));
            }
            if (ctx.Clock.GetUtcNow() > deadline)
            {
                return new HermesError(ErrorKind.Timeout, $"{Label} did not finish {modelId} within {QueueTimeout.TotalMinutes:0.#} min");
            }
            await Task.Delay(PollInterval, ctx.Clock, ct);
        }
    }

    /// <summary>One status answer: the result when COMPLETED, None to keep polling, or a typed error.</summary>
    private async Task<Either<HermesError, Option<JsonObject>>> Step(string modelId, QueueHandle handle, JsonObject json, IProgress<GenerationProgress>? progress, CancellationToken ct)
    {
        var state = JsonFields.Text(json["status"]) ?? "";
        switch (state)
        {
            case "COMPLETED":
                if (JsonFields.Text(json["error"]) is { } failure)
                {
                    return new HermesError(ErrorKind.ProviderError, $"{Label} failed to generate with {modelId}: {ApiError.oneLine(300, failure)}");
                }
                var result = await ctx.Transport.SendAsync(Authorized(HttpCall.Get(handle.Response, Label)), ct);
                return result.Bind(answer => ProviderFailure.ObjectOf(Label, answer)).Map(Prelude.Some);
            case "IN_QUEUE":
                progress?.Report(new GenerationProgress("queued", json["queue_position"] is JsonValue position ? $"position {ApiError.oneLine(20, position.ToJsonString())}" : modelId));
                return Option<JsonObject>.None;
            case "IN_PROGRESS":
                progress?.Report(new GenerationProgress("generating", modelId));
                return Option<JsonObject>.None;
            default:
                return new HermesError(ErrorKind.InvalidResponse, $"{Label} reported an unknown queue status '{ApiError.oneLine(40, state)}'");
        }
    }
}
