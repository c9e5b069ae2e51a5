using Hermes.Domain;
using Hermes.Providers.Core;

namespace Hermes.Providers.Storage;

/// <summary>A file Hermes owns or reads that cannot be used; <see cref="Message"/> is one line naming the file and the fix.</summary>
internal sealed record StorageError(StorageFailure Failure, string Path, string Message)
{
    /// <summary>The same failure inside the xAI credential layer, whose errors are <see cref="AuthError"/>s.</summary>
    public AuthError ToAuthError() =>
        Failure == StorageFailure.LockTimeout ? AuthError.NewLockTimeout(Path) : AuthError.NewStoreCorrupt(Message);

    /// <summary>The one place a storage failure gets its error kind.</summary>
    public HermesError ToHermesError() => new(ErrorKind.Storage, Message);

    public override string ToString() => Message;
}
