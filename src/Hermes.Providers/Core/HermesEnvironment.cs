using System.Collections;
using Hermes.Domain;
using LanguageExt;
using Microsoft.FSharp.Collections;
using static LanguageExt.Prelude;

namespace Hermes.Providers.Core;

/// <summary>A snapshot of environment variables; tests pass their own so nothing touches the real process state.</summary>
internal sealed class HermesEnvironment
{
    private readonly IReadOnlyDictionary<string, string> variables;

    private HermesEnvironment(IReadOnlyDictionary<string, string> variables) => this.variables = variables;

    /// <summary>The most of $HERMES_HOME/.env that is read; a larger file is ignored like a missing one.</summary>
    public const long MaxDotEnvBytes = 1_048_576;

    /// <summary>This process's environment with $HERMES_HOME/.env under it.</summary>
    public static HermesEnvironment FromProcess() => WithDotEnv(OfProcess().variables);

    /// <summary>This process's environment variables alone.</summary>
    public static HermesEnvironment OfProcess()
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

    /// <summary>
    /// The given process variables plus the KEY=value lines of $HERMES_HOME/.env (HERMES_HOME from the process);
    /// a set process variable wins. A missing, oversized or unreadable file adds nothing; values are never logged.
    /// </summary>
    public static HermesEnvironment WithDotEnv(IEnumerable<KeyValuePair<string, string>> processVariables)
    {
        var process = Of(processVariables);
        if (ReadDotEnv(Path.Combine(process.HermesHome, ".env")) is not { } text)
        {
            return process;
        }
        var merged = DotEnv.merge(
            MapModule.OfSeq(process.variables.Select(kv => System.Tuple.Create(kv.Key, kv.Value))),
            DotEnv.parse(text));
        return Of(merged);
    }

    private static string? ReadDotEnv(string path)
    {
        try
        {
            var file = new FileInfo(path);
            return file.Exists && file.Length <= MaxDotEnvBytes ? File.ReadAllText(path) : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.SecurityException)
        {
            return null;
        }
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
