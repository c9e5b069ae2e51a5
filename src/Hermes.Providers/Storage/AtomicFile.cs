using System.Security.Cryptography;
using LanguageExt;
using static LanguageExt.Prelude;

namespace Hermes.Providers.Storage;

/// <summary>Whole-file replacement: temp file in the same folder, fsync, rename; readers see the old or the new file, never a torn one.</summary>
public static class AtomicFile
{
    public const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>A temp file this old was left by a killed writer: no write takes an hour.</summary>
    public static readonly TimeSpan StaleTemp = TimeSpan.FromHours(1);

    /// <summary>Replaces <paramref name="path"/>; a failure leaves the old file and no temp file behind.</summary>
    public static Either<StorageError, Unit> Write(string path, byte[] content, UnixFileMode? mode)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var temp = Path.Combine(directory, $".{Path.GetFileName(path)}.{Convert.ToHexString(RandomNumberGenerator.GetBytes(6))}.tmp");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (mode is { } unixMode && !OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = unixMode;
        }
        try
        {
            Directory.CreateDirectory(directory);
            SweepStale(directory, Path.GetFileName(path));
            using (var stream = new FileStream(temp, options))
            {
                stream.Write(content);
                stream.Flush(flushToDisk: true);
            }
            if (Directory.Exists(path))
            {
                throw new IOException("a directory is in its place");
            }
            File.Move(temp, path, overwrite: true);
            return unit;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Discard(temp);
            return new StorageError(StorageFailure.WriteFailed, path,
                $"could not save {path} ({e.Message}); check that {directory} is writable and has free space");
        }
    }

    /// <summary>Removes the temp files of this target that a killed process left behind; a live writer's temp file is younger.</summary>
    private static void SweepStale(string directory, string name)
    {
        var cutoff = DateTime.UtcNow - StaleTemp;
        foreach (var temp in Directory.EnumerateFiles(directory, $".{name}.*.tmp"))
        {
            if (File.GetLastWriteTimeUtc(temp) < cutoff)
            {
                Discard(temp);
            }
        }
    }

    private static void Discard(string temp)
    {
        try
        {
            File.Delete(temp);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Nothing more to do: the temp name is hidden and random, and the target was never touched.
        }
    }
}
