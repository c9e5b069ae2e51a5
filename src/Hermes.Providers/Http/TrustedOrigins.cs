using Hermes.Domain;
using Microsoft.FSharp.Collections;

namespace Hermes.Providers.Http;

/// <summary>The origins the user configured (provider base URLs): the only internal addresses Hermes connects to.</summary>
internal sealed record TrustedOrigins
{
    /// <summary>Environment variables whose value is a base URL the user chose.</summary>
    public static readonly IReadOnlyList<string> BaseUrlVariables =
    [
        "XAI_BASE_URL", "HERMES_XAI_BASE_URL", "OPENAI_BASE_URL", "FAL_QUEUE_BASE_URL", "FAL_QUEUE_GATEWAY_URL",
        "HERMES_CODEX_BASE_URL", "HERMES_XAI_OAUTH_ISSUER", "GEMINI_BASE_URL",
    ];

    public static readonly TrustedOrigins None = new([]);

    private TrustedOrigins(IEnumerable<Origin> origins) => List = ListModule.OfSeq(origins.Distinct());

    internal FSharpList<Origin> List { get; }

    public IReadOnlyList<Origin> Origins => List;

    /// <summary>The origins of these base URLs; anything that is not an absolute http(s) URL is ignored.</summary>
    public static TrustedOrigins Of(IEnumerable<string?> baseUrls) =>
        new(baseUrls.Select(url => string.IsNullOrWhiteSpace(url) ? null : Address.originOf(url.Trim()))
            .Where(origin => origin is not null)
            .Select(origin => origin!.Value));
}
