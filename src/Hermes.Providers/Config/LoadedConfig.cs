namespace Hermes.Providers.Config;

/// <summary>The configuration to run with, and why it is the empty one when config.yaml could not be used.</summary>
internal sealed record LoadedConfig(HermesConfig Config, ConfigError? Problem);
