using Hermes.Domain;
using LanguageExt;
using Microsoft.Extensions.Logging;
using static LanguageExt.Prelude;

namespace Hermes.Providers.Storage;

/// <summary>Reading the files Hermes owns: never through a symbolic link, never unbounded, permissions kept owner-only.</summary>
internal static class OwnedFile
{
    public const UnixFileMode FileMode = (UnixFileMode)0b110_000_000;
    public const UnixFileMode DirectoryMode = (UnixFileMode)0b111_000_000;

    /// <summary>A symbolic link (even a dangling one) in place of an owned file is refused.</summary>
    public static Either<StorageError, Unit> RefuseSymlink(string path, string what)
    {
        try
        {
            return new FileInfo(path).LinkTarget is null
                ? unit
                : new StorageError(StorageFailure.Symlink, path,
                    $"refusing {what} {path}: it is a symbolic link; replace it with a regular file");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new StorageError(StorageFailure.Unreadable, path, $"cannot inspect {what} {path}: {e.Message}");
        }
    }

    /// <summary>
    /// The text of an owned file, None when it does not exist. A mode looser than <paramref name="mode"/> on the file
    /// (and than owner-only on its folder) is fixed, with a warning.
    /// </summary>
    public static Either<StorageError, Option<string>> ReadText(string path, string what, long maxBytes, UnixFileMode mode, ILogger logger) =>
        RefuseSymlink(path, what).Bind(_ => ReadExisting(path, what, maxBytes, mode, logger));

    private static Either<StorageError, Option<string>> ReadExisting(string path, string what, long maxBytes, UnixFileMode mode, ILogger logger)
    {
        try
        {
            if (Directory.Exists(path))
            {
                return new StorageError(StorageFailure.Unreadable, path, $"cannot read {what} {path}: it is a directory; remove it or move it aside");
            }
            if (!File.Exists(path))
            {
                return Option<string>.None;
            }
            Tighten(Path.GetDirectoryName(Path.GetFullPath(path))!, DirectoryMode, logger);
            Tighten(path, mode, logger);
            var info = new FileInfo(path);
            if (info.Length > maxBytes)
            {
                return new StorageError(StorageFailure.Corrupt, path,
                    $"{what} {path} is {info.Length} bytes, more than the {maxBytes} it can be; move it aside");
            }
            return Some(File.ReadAllText(path));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new StorageError(StorageFailure.Unreadable, path, $"cannot read {what} {path}: {e.Message}");
        }
    }

    /// <summary>Removes group and other permissions beyond <paramref name="required"/>, saying so; a mode it cannot change is left as it is.</summary>
    public static void Tighten(string path, UnixFileMode required, ILogger logger)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }
        try
        {
            var current = File.GetUnixFileMode(path);
            if (AuthFile.isLooser((int)required, (int)current))
            {
                var fixedMode = current & ~(UnixFileMode)0b000_111_111 | (required & (UnixFileMode)0b000_111_111);
                File.SetUnixFileMode(path, fixedMode);
                logger.LogWarning("{Warning}", $"{path} was readable by other users (mode {Octal(current)}); changed it to {Octal(fixedMode)}");
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            logger.LogWarning("{Warning}", $"{path} may be readable by other users and its mode could not be changed: {e.Message}");
        }
    }

    /// <summary>Creates a folder Hermes owns as owner-only (an existing one is tightened on read, not here).</summary>
    public static Either<StorageError, Unit> EnsureDirectory(string path, string forFile)
    {
        try
        {
            if (!Directory.Exists(path))
            {
                if (OperatingSystem.IsWindows())
                {
                    Directory.CreateDirectory(path);
                }
                else
                {
                    Directory.CreateDirectory(path, DirectoryMode);
                }
            }
            return unit;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new StorageError(StorageFailure.WriteFailed, forFile, $"cannot create the folder {path} for {forFile}: {e.Message}");
        }
    }

    private static string Octal(UnixFileMode mode) => "0" + Convert.ToString((int)mode & 0b111_111_111, 8);
}
