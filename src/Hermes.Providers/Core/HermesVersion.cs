namespace Hermes.Providers.Core;

internal static class HermesVersion
{
    public static string Version { get; } =
        typeof(HermesVersion).Assembly.GetName().Version is { } v ? $"{v.Major}.{v.Minor}.{v.Build}" : "0.0.0";

    public static string UserAgent { get; } = $"hermes/{Version}";
}
