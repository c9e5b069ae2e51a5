using Hermes.Domain;
using Hermes.Providers.Core;

namespace Hermes.Providers.Config;

/// <summary>config.yaml cannot be used, or a change to it cannot be made; <see cref="Message"/> names the file (or key) and the fix.</summary>
internal sealed record ConfigError(ConfigFailure Failure, string Path, string Message)
{
    /// <summary>The one place a config failure gets its error kind.</summary>
    public HermesError ToHermesError() => new(ErrorKind.Config, Message);

    public override string ToString() => Message;
}
