namespace Hermes.Providers.Core;

/// <summary>An environment variable the picker asks for.</summary>
internal sealed record SetupEnvVar(string Key, string Prompt, string Url);
