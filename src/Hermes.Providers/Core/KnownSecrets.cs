using System.Collections.Concurrent;
using Hermes.Domain;

namespace Hermes.Providers.Core;

/// <summary>The secrets this process holds (keys from the environment, tokens it read or refreshed), so any message can be redacted before it is shown.</summary>
internal sealed class KnownSecrets
{
    private static readonly string[] SecretSuffixes = ["_KEY", "_TOKEN", "_SECRET", "_PASSWORD"];
    private readonly ConcurrentDictionary<string, byte> values = new(StringComparer.Ordinal);

    public static KnownSecrets From(HermesEnvironment environment)
    {
        var secrets = new KnownSecrets();
        foreach (var (name, value) in environment.Variables)
        {
            if (SecretSuffixes.Any(suffix => name.EndsWith(suffix, StringComparison.OrdinalIgnoreCase)))
            {
                secrets.Add(value);
            }
        }
        return secrets;
    }

    /// <summary>Remembers a secret; short values are not secrets worth matching.</summary>
    public void Add(string? secret)
    {
        if (secret is { Length: >= 8 })
        {
            values.TryAdd(secret.Trim(), 0);
        }
    }

    public string Redact(string text) => Secrets.redact(values.Keys, text ?? "");

    /// <summary>The error with its message sanitized for a terminal and every known secret cut to its prefix.</summary>
    public HermesError Clean(HermesError error) =>
        error with { Message = Redact(TerminalText.sanitizeWith(1000, error.Message)) };
}
