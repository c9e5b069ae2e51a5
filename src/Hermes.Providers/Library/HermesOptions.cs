using System.Text;
using Hermes.Domain;
using Hermes.Providers.Auth;
using Hermes.Providers.Config;
using Hermes.Providers.Core;
using Hermes.Providers.Http;
using LanguageExt;
using Microsoft.Extensions.Logging;
using Microsoft.FSharp.Collections;

namespace Hermes;

/// <summary>
/// How a <see cref="HermesClient"/> is set up. Only what is set here is used: the process environment is read only by
/// <see cref="FromEnvironment"/> or <see cref="UseEnvironment()"/>, and $HERMES_HOME/config.yaml, $HERMES_HOME/.env and saved sign-ins only after
/// <see cref="UseUserProfile"/>. Explicit settings always win over what is read.
/// </summary>
/// <example><code>var client = new HermesClient(new HermesOptions { OpenAiApiKey = key });</code></example>
public sealed record HermesOptions
{
    /// <summary>xAI API key (XAI_API_KEY).</summary>
    public string? XaiApiKey { get; init; }

    /// <summary>OpenAI API key (OPENAI_API_KEY).</summary>
    public string? OpenAiApiKey { get; init; }

    /// <summary>FAL.ai key (FAL_KEY).</summary>
    public string? FalKey { get; init; }

    /// <summary>Gemini API key (GEMINI_API_KEY).</summary>
    public string? GeminiApiKey { get; init; }

    /// <summary>xAI API base URL, e.g. https://api.x.ai/v1 (XAI_BASE_URL).</summary>
    public string? XaiBaseUrl { get; init; }

    /// <summary>OpenAI API base URL, e.g. https://api.openai.com/v1 (OPENAI_BASE_URL).</summary>
    public string? OpenAiBaseUrl { get; init; }

    /// <summary>FAL queue base URL, e.g. https://queue.fal.run (FAL_QUEUE_BASE_URL).</summary>
    public string? FalBaseUrl { get; init; }

    /// <summary>Gemini API base URL (GEMINI_BASE_URL).</summary>
    public string? GeminiBaseUrl { get; init; }

    /// <summary>
    /// The provider every call uses unless the call names one: "xai", "openai", "openai-codex", "fal" or "gemini".
    /// When unset and exactly one API key above is set, that key's provider.
    /// </summary>
    public string? Provider { get; init; }

    /// <summary>The folder of the image cache (and, with <see cref="UseUserProfile"/>, of config.yaml, .env and auth.json); default ~/.hermes.</summary>
    public string? HermesHome { get; init; }

    /// <summary>Further variables Hermes reads (e.g. XAI_IMAGE_MODEL, FAL_QUEUE_GATEWAY_URL), as if set in the environment; the properties above win.</summary>
    public IReadOnlyDictionary<string, string> Variables { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Puts prompts on Hermes's telemetry activities (gen_ai.input.messages); off by default because prompts may be personal data.</summary>
    public bool EnableSensitiveData { get; init; }

    /// <summary>True after <see cref="UseEnvironment()"/> (or <see cref="FromEnvironment"/>): the process environment was read.</summary>
    public bool ReadsEnvironment => Process is not null;

    /// <summary>True after <see cref="UseUserProfile"/>: config.yaml, .env and sign-ins under <see cref="HermesHome"/> are read.</summary>
    public bool ReadsUserProfile { get; private init; }

    /// <summary>The process variables read by <see cref="UseEnvironment()"/>; null when the environment is not read.</summary>
    internal HermesEnvironment? Process { get; private init; }

    /// <summary>Options that read this process's environment variables (XAI_API_KEY, OPENAI_API_KEY, FAL_KEY, HERMES_HOME, …) once, now.</summary>
    public static HermesOptions FromEnvironment() => new HermesOptions().UseEnvironment();

    /// <summary>These options over this process's environment variables, read once, now; the properties set here still win.</summary>
    public HermesOptions UseEnvironment() => UseEnvironment(HermesEnvironment.OfProcess());

    /// <summary>These options over these process variables; tests pass their own so nothing reads the real environment.</summary>
    internal HermesOptions UseEnvironment(HermesEnvironment process) => this with { Process = process };

    /// <summary>These options reading $HERMES_HOME/config.yaml, $HERMES_HOME/.env and the sign-ins `hermes auth` saved (as the CLI does).</summary>
    public HermesOptions UseUserProfile() => this with { ReadsUserProfile = true };

    private IEnumerable<(string Name, string? Value, string? Provider)> Explicit() =>
    [
        ("XAI_API_KEY", XaiApiKey, "xai"), ("OPENAI_API_KEY", OpenAiApiKey, "openai"), ("FAL_KEY", FalKey, "fal"),
        ("GEMINI_API_KEY", GeminiApiKey, "gemini"), ("XAI_BASE_URL", XaiBaseUrl, null), ("OPENAI_BASE_URL", OpenAiBaseUrl, null),
        ("FAL_QUEUE_BASE_URL", FalBaseUrl, null), ("GEMINI_BASE_URL", GeminiBaseUrl, null), ("HERMES_HOME", HermesHome, null),
    ];

    /// <summary>The provider chosen by these options: <see cref="Provider"/>, else the one provider whose key was passed explicitly.</summary>
    internal string? ChosenProvider() =>
        ExplicitProvider.choose(
            Fs.Opt(Provider),
            ListModule.OfSeq(Explicit().Where(e => e.Provider is not null && !string.IsNullOrWhiteSpace(e.Value)).Select(e => e.Provider!)))?.Value;

    /// <summary>The variables Hermes runs on: .env (with the profile) under the process (when read), under <see cref="Variables"/>, under the properties.</summary>
    internal HermesEnvironment Environment()
    {
        var merged = (Process ?? HermesEnvironment.Of([])).Variables.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        foreach (var (name, value) in Variables)
        {
            merged[name] = value;
        }
        foreach (var (name, value, _) in Explicit().Where(e => !string.IsNullOrWhiteSpace(e.Value)))
        {
            merged[name] = value!.Trim();
        }
        return ReadsUserProfile ? HermesEnvironment.WithDotEnv(merged) : HermesEnvironment.Of(merged);
    }

    // Keys show as their prefix only, base URLs without user info, query or fragment: options get logged, and a record prints every property.
    private bool PrintMembers(StringBuilder builder)
    {
        static string Shown(string value) => value.Contains('@') ? Secrets.prefix(value) : Redact.Url(value);
        var shown = Explicit().Where(e => !string.IsNullOrWhiteSpace(e.Value))
            .Select(e => $"{e.Name} = {(e.Provider is null ? Shown(e.Value!) : Secrets.prefix(e.Value!))}")
            .Append($"Provider = {Provider}").Append($"Variables = [{string.Join(", ", Variables.Keys)}]")
            .Append($"ReadsEnvironment = {ReadsEnvironment}").Append($"ReadsUserProfile = {ReadsUserProfile}");
        builder.Append(string.Join(", ", shown));
        return true;
    }

    /// <summary>The context these options describe; an unreadable config.yaml or a bad HERMES_XAI_OAUTH_ISSUER is the error.</summary>
    internal Either<HermesError, HermesContext> Context(ILoggerFactory? logging)
    {
        var environment = Environment();
        if (ReadsUserProfile)
        {
            return HermesContext.FromEnvironment(environment, logging);
        }
        var auth = new AuthStore(AuthStore.PathIn(environment.HermesHome)) { ReadsSignIns = false };
        return HermesContext.FromEnvironment(environment, HermesConfig.Empty, logging, auth);
    }
}
