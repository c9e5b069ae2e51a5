namespace Hermes.Providers.Storage;

/// <summary>What went wrong with a file Hermes owns or reads.</summary>
internal enum StorageFailure
{
    /// <summary>The file exists but cannot be read (permissions, a directory in its place, an I/O error).</summary>
    Unreadable,

    /// <summary>The text is not what the file holds (not JSON, too large).</summary>
    Corrupt,

    /// <summary>Valid JSON whose known parts have the wrong type.</summary>
    WrongShape,

    /// <summary>The file or its lock is a symbolic link, which Hermes refuses to follow.</summary>
    Symlink,

    /// <summary>The lock cannot be created at all (a directory in its place, no permission).</summary>
    LockUnavailable,

    /// <summary>Another process held the lock for longer than the timeout.</summary>
    LockTimeout,

    /// <summary>The atomic replacement failed (read-only folder, disk full, a directory in the way).</summary>
    WriteFailed,
}
