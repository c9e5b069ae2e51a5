using System.Collections;
using LanguageExt;
using static LanguageExt.Prelude;

namespace Hermes.Providers.Core;

/// <summary>A snapshot of environment variables; tests pass their own so nothing touches the real process state.</summary>
public sealed class HermesEnvironment
{
    private readonly IReadOnlyDictionary<string, string> variables;

    private HermesEnvironment(IReadOnlyDictionary<string, string> variables) => this.variables = variables;

    public static HermesEnvironment FromProcess()
    {
        var copy = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in System.Environment.GetEnvironmentVariables())
        {
            if (entry.Key is string key && entry.Value is string value)
            {
                copy[key] = value;
            }
        }
        return new HermesEnvironment(copy);
    }

    public static HermesEnvironment Of(IEnumerable<KeyValuePair<string, string>> variables) =>
        new(variables.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal));

    public IReadOnlyDictionary<string, string> Variables => variables;

    /// <summary>The trimmed value, or None when unset or blank.</summary>
    public Option<string> Get(string name) =>
        variables.TryGetValue(name, out var value) && !string.IsNullOrWhiteSpace(value) ? Some(value.Trim()) : None;

    public bool Has(string name) => Get(name).IsSome;

    public HermesEnvironment With(string name, string value)
    {
        var copy = new Dictionary<string, string>(variables, StringComparer.Ordinal) { [name] = value };
        return new HermesEnvironment(copy);
    }

    public string UserHome =>
        Get("HOME").IfNone(() => System.Environment.GetFolderPath(System.Environment.SpecialFolder.UserProfile));

    /// <summary>$HERMES_HOME, else ~/.hermes.</summary>
    public string HermesHome => Get("HERMES_HOME").IfNone(() => Path.Combine(UserHome, ".hermes"));
}
