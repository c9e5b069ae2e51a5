namespace Hermes.Providers.Library;

/// <summary>How a host application sets Hermes up; unset values come from the process environment.</summary>
public sealed class HermesClientOptions
{
    /// <summary>Overrides $HERMES_HOME.</summary>
    public string? HermesHome { get; set; }

    /// <summary>Variables that override the process environment (API keys, base URLs).</summary>
    public IDictionary<string, string> Environment { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>The provider every call uses unless it names one in AdditionalProperties["provider"]; overrides image_gen.provider.</summary>
    public string? Provider { get; set; }

    /// <summary>Puts prompts on Hermes's telemetry activities (gen_ai.input.messages); off by default because prompts may be personal data.</summary>
    public bool EnableSensitiveData { get; set; }
}
