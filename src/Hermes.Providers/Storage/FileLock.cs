using Hermes.Domain;
using LanguageExt;

namespace Hermes.Providers.Storage;

/// <summary>An inter-process exclusive lock on "&lt;path&gt;.lock" (flock on Unix through FileShare.None), held until disposed.</summary>
public sealed class FileLock : IDisposable
{
    private readonly FileStream stream;

    private FileLock(FileStream stream) => this.stream = stream;

    public static async Task<Either<AuthError, FileLock>> AcquireAsync(string path, TimeSpan timeout, CancellationToken ct)
    {
        var lockPath = path + ".lock";
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(lockPath))!);
        var deadline = DateTime.UtcNow + timeout;
        var delay = TimeSpan.FromMilliseconds(2);
        while (true)
        {
            try
            {
                var options = new FileStreamOptions { Mode = FileMode.OpenOrCreate, Access = FileAccess.ReadWrite, Share = FileShare.None };
                if (!OperatingSystem.IsWindows())
                {
                    options.UnixCreateMode = AtomicFile.OwnerOnly;
                }
                return new FileLock(new FileStream(lockPath, options));
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(delay, ct);
                delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 50));
            }
            catch (IOException)
            {
                return AuthError.NewLockTimeout(lockPath);
            }
        }
    }

    public void Dispose() => stream.Dispose();
}
