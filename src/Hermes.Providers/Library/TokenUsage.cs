using Microsoft.Extensions.AI;

namespace Hermes.Providers.Library;

/// <summary>
/// The token counts a provider reported, kept in the result extras under "usage" as dotted names → counts
/// (input_tokens, output_tokens, total_tokens, input_tokens_details.image_tokens, …).
/// </summary>
internal static class TokenUsage
{
    public const string Extra = "usage";

    public static IReadOnlyDictionary<string, long>? Of(IReadOnlyDictionary<string, object> extras) =>
        extras.TryGetValue(Extra, out var value) && value is IReadOnlyDictionary<string, long> { Count: > 0 } counts ? counts : null;

    /// <summary>The first image's extras with the counts of every call added up: N images are N paid calls.</summary>
    public static IReadOnlyDictionary<string, object> Summed(IReadOnlyList<IReadOnlyDictionary<string, object>> extras)
    {
        if (extras.Count == 0)
        {
            return new Dictionary<string, object>();
        }
        var counts = extras.Select(Of).OfType<IReadOnlyDictionary<string, long>>().SelectMany(c => c)
            .GroupBy(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Sum(), StringComparer.Ordinal);
        return extras.Count == 1 || counts.Count == 0 ? extras[0] : new Dictionary<string, object>(extras[0]) { [Extra] = counts };
    }

    private static readonly Dictionary<string, Action<UsageDetails, long>> Named = new(StringComparer.Ordinal)
    {
        ["input_tokens"] = (u, n) => u.InputTokenCount = n,
        ["output_tokens"] = (u, n) => u.OutputTokenCount = n,
        ["total_tokens"] = (u, n) => u.TotalTokenCount = n,
        ["input_tokens_details.text_tokens"] = (u, n) => u.InputTextTokenCount = n,
        ["input_tokens_details.cached_tokens"] = (u, n) => u.CachedInputTokenCount = n,
        ["output_tokens_details.text_tokens"] = (u, n) => u.OutputTextTokenCount = n,
        ["output_tokens_details.reasoning_tokens"] = (u, n) => u.ReasoningTokenCount = n,
    };

    /// <summary>Microsoft.Extensions.AI's usage: the counts it has a property for, every other one under its dotted name.</summary>
    public static UsageDetails? Details(IReadOnlyDictionary<string, long>? counts)
    {
        if (counts is null)
        {
            return null;
        }
        var details = new UsageDetails();
        foreach (var (name, count) in counts)
        {
            if (Named.TryGetValue(name, out var set))
            {
                set(details, count);
            }
            else
            {
                (details.AdditionalCounts ??= [])[name] = count;
            }
        }
        return details;
    }
}
