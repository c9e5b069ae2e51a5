namespace Hermes.Providers.Core;

/// <summary>What the picker shows for a provider.</summary>
internal sealed record SetupSchema(string Name, string Badge, string Tag, IReadOnlyList<SetupEnvVar> EnvVars);
