namespace Hermes.Providers.Core;

/// <summary>Printable forms of secrets and signed URLs.</summary>
internal static class Redact
{
    /// <summary>At most the first six characters of a secret.</summary>
    public static string Secret(string? secret) =>
        string.IsNullOrEmpty(secret) ? "(none)" : secret.Length <= 10 ? "…" : secret[..6] + "…";

    /// <summary>A URL without its query or fragment, which may carry signatures.</summary>
    public static string Url(string url)
    {
        var cut = url.IndexOfAny(['?', '#']);
        return cut < 0 ? url : url[..cut];
    }
}
