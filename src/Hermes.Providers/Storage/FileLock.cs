using LanguageExt;

namespace Hermes.Providers.Storage;

/// <summary>An inter-process exclusive lock on "&lt;path&gt;.lock" (flock on Unix through FileShare.None), held until disposed.</summary>
internal sealed class FileLock : IDisposable
{
    private readonly FileStream stream;

    private FileLock(FileStream stream) => this.stream = stream;

    /// <summary>Waits up to <paramref name="timeout"/> for the lock; a lock that can never be taken is an error at once.</summary>
    public static Task<Either<StorageError, FileLock>> AcquireAsync(string path, TimeSpan timeout, CancellationToken ct) =>
        OwnedFile.RefuseSymlink(path + ".lock", "the lock file").BindAsync(_ => WaitAsync(path, path + ".lock", timeout, ct));

    private static async Task<Either<StorageError, FileLock>> WaitAsync(string path, string lockPath, TimeSpan timeout, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + timeout;
        var delay = TimeSpan.FromMilliseconds(2);
        while (true)
        {
            var attempt = TryOpen(lockPath);
            if (attempt.IsRight || !File.Exists(lockPath))
            {
                return attempt.MapLeft(reason => Unavailable(path, lockPath, reason));
            }
            if (DateTime.UtcNow >= deadline)
            {
                return new StorageError(StorageFailure.LockTimeout, lockPath,
                    $"timed out after {timeout.TotalSeconds:0} s waiting for another Hermes process to release {lockPath}");
            }
            await Task.Delay(delay, ct);
            delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 50));
        }
    }

    private static StorageError Unavailable(string path, string lockPath, string reason) =>
        new(StorageFailure.LockUnavailable, lockPath, $"cannot lock {path}: {lockPath} {reason}");

    /// <summary>The open lock, or why it could not be opened (contention shows as an existing, regular lock file).</summary>
    private static Either<string, FileLock> TryOpen(string lockPath)
    {
        if (Directory.Exists(lockPath))
        {
            return "is a directory; remove it";
        }
        var options = new FileStreamOptions { Mode = FileMode.OpenOrCreate, Access = FileAccess.ReadWrite, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = AtomicFile.OwnerOnly;
        }
        try
        {
            return new FileLock(new FileStream(lockPath, options));
        }
        catch (UnauthorizedAccessException)
        {
            return $"cannot be created or opened (permission denied); make {Path.GetDirectoryName(Path.GetFullPath(lockPath))} writable";
        }
        catch (IOException e)
        {
            return $"cannot be opened ({e.Message})";
        }
    }

    public void Dispose() => stream.Dispose();
}
