using Hermes.Domain;
using Hermes.Providers.Core;
using Hermes.Providers.Fal;

namespace Hermes.Providers.Library;

/// <summary>
/// Where a bundled provider sends its requests and the name the OpenTelemetry gen_ai conventions give it;
/// for <see cref="Microsoft.Extensions.AI.ImageGeneratorMetadata"/> and telemetry only, never to build a request.
/// </summary>
internal static class ProviderEndpoint
{
    /// <summary>The base URL the provider calls in this context: its *_BASE_URL variable, else its default; an endpoint's base_url.</summary>
    public static Uri? Of(HermesContext ctx, string? provider)
    {
        string Env(string name, string fallback) => ctx.Environment.Get(name).IfNone(fallback);
        var url = provider switch
        {
            "xai" => Env("XAI_BASE_URL", XaiOAuth.apiBaseUrl),
            "openai" => Env("OPENAI_BASE_URL", "https://api.openai.com/v1"),
            "openai-codex" => Env("HERMES_CODEX_BASE_URL", "https://chatgpt.com/backend-api/codex"),
            "gemini" => Env("GEMINI_BASE_URL", GeminiRequests.defaultBaseUrl),
            "fal" => FalRouting.Endpoint(ctx)?.QueueBase ?? FalRouting.DirectQueueBase,
            _ => ctx.Config.Endpoints.FirstOrDefault(endpoint => endpoint.Name == provider)?.BaseUrl,
        };
        return Uri.TryCreate(url, UriKind.Absolute, out var uri) ? uri : null;
    }

    /// <summary>gen_ai.provider.name: the conventions' well-known value where one exists (x_ai, openai, gcp.gemini), else the Hermes name.</summary>
    public static string? SemanticName(string? provider) => provider switch
    {
        "xai" => "x_ai",
        "openai" or "openai-codex" => "openai",
        "gemini" => "gcp.gemini",
        _ => provider,
    };
}
