using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text.Json.Nodes;
using Hermes.Providers.Core;
using Hermes.Providers.Library;

namespace Hermes;

/// <summary>
/// Hermes's traces and metrics by the OpenTelemetry gen_ai semantic conventions: one client activity
/// "generate_content {model}" per <see cref="HermesClient.GenerateAsync"/> call, and the histograms
/// gen_ai.client.operation.duration (seconds) and gen_ai.client.token.usage (when the provider reports tokens).
/// </summary>
/// <remarks>Subscribe with <c>AddSource(HermesTelemetry.SourceName)</c> and <c>AddMeter(HermesTelemetry.SourceName)</c>.</remarks>
public static class HermesTelemetry
{
    /// <summary>The name of Hermes's <see cref="ActivitySource"/> and <see cref="Meter"/>.</summary>
    public const string SourceName = "Hermes";

    private const string Operation = "generate_content";
    private static readonly (string Type, string Count)[] TokenCounts = [("input", "input_tokens"), ("output", "output_tokens")];

    // Static readonly, like the runtime's own HTTP instrumentation: HermesClient is not disposable and listeners subscribe by name.
    private static readonly ActivitySource Source = new(SourceName, HermesVersion.Version);
    private static readonly Meter Meter = new(SourceName, HermesVersion.Version);

    private static readonly Histogram<double> Duration = Meter.CreateHistogram(
        "gen_ai.client.operation.duration", "s", "GenAI operation duration.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92] });

    private static readonly Histogram<long> Tokens = Meter.CreateHistogram(
        "gen_ai.client.token.usage", "{token}", "Number of input and output tokens used.",
        advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864] });

    /// <summary>Runs one generate call inside its activity and records its duration and tokens; the prompt is recorded only when <paramref name="sensitive"/>.</summary>
    internal static async Task<HermesResult> TraceAsync(
        HermesContext ctx, string? prompt, HermesGenerateOptions options, bool sensitive, Func<Task<HermesResult>> generate)
    {
        var requested = string.IsNullOrWhiteSpace(options.Model) ? null : options.Model.Trim();
        using var activity = Source.StartActivity(Name(requested), ActivityKind.Client);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("gen_ai.operation.name", Operation).SetTag("gen_ai.output.type", "image").SetTag("gen_ai.request.model", requested);
            if (options.Count != 1)
            {
                activity.SetTag("gen_ai.request.choice.count", options.Count);
            }
            if (sensitive)
            {
                activity.SetTag("gen_ai.input.messages", InputMessages(prompt));
            }
        }
        var started = ctx.Clock.GetTimestamp();
        try
        {
            var result = await generate();
            var failed = result.IsSuccess ? null : result.Error;
            if (Observed(activity))
            {
                Finish(activity, ctx.Clock.GetElapsedTime(started), Tags(ctx, result.Provider, result.Model ?? requested, failed?.ErrorType),
                    failed?.Message, TokenUsage.Of(result.Extras));
            }
            return result;
        }
        catch (Exception e)
        {
            if (Observed(activity))
            {
                Finish(activity, ctx.Clock.GetElapsedTime(started), Tags(ctx, null, requested, e.GetType().FullName), e.Message, null);
            }
            throw;
        }
    }

    // The endpoint lookup reads auth.json for FAL: only done when someone listens.
    private static bool Observed(Activity? activity) => activity is not null || Duration.Enabled || Tokens.Enabled;

    private static string Name(string? model) => model is null ? Operation : $"{Operation} {model}";

    private static TagList Tags(HermesContext ctx, string? provider, string? model, string? errorType)
    {
        var tags = new TagList { { "gen_ai.operation.name", Operation } };
        if (model is not null)
        {
            tags.Add("gen_ai.request.model", model);
        }
        if (ProviderEndpoint.SemanticName(provider) is { } name)
        {
            tags.Add("gen_ai.provider.name", name);
            tags.Add("gen_ai.system", name);
        }
        if (ProviderEndpoint.Of(ctx, provider) is { } endpoint)
        {
            tags.Add("server.address", endpoint.Host);
            tags.Add("server.port", endpoint.Port);
        }
        if (errorType is not null)
        {
            tags.Add("error.type", errorType);
        }
        return tags;
    }

    private static void Finish(Activity? activity, TimeSpan elapsed, TagList tags, string? error, IReadOnlyDictionary<string, long>? usage)
    {
        Duration.Record(elapsed.TotalSeconds, tags);
        foreach (var (type, count) in TokenCounts)
        {
            if (usage?.TryGetValue(count, out var n) == true)
            {
                Tokens.Record(n, new TagList([.. tags, new("gen_ai.token.type", type)]));
                activity?.SetTag($"gen_ai.usage.{count}", n);
            }
        }
        if (activity is null)
        {
            return;
        }
        foreach (var (key, value) in tags)
        {
            activity.SetTag(key, value);
        }
        activity.DisplayName = Name(tags.FirstOrDefault(t => t.Key == "gen_ai.request.model").Value as string);
        if (error is not null)
        {
            activity.SetStatus(ActivityStatusCode.Error, error);
        }
    }

    /// <summary>gen_ai.input.messages: the prompt as the conventions' one user message with one text part.</summary>
    private static string InputMessages(string? prompt) =>
        new JsonArray(new JsonObject
        {
            ["role"] = "user",
            ["parts"] = new JsonArray(new JsonObject { ["type"] = "text", ["content"] = prompt ?? "" }),
        }).ToJsonString();
}
