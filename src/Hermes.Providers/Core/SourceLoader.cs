using Hermes.Domain;
using Hermes.Providers.Cache;
using LanguageExt;

namespace Hermes.Providers.Core;

/// <summary>
/// Loads an edit source before any paid request (trust.md "Input images for edits"): a local file through the read guard
/// (symlinks resolved), an http(s) URL through the guarded downloader, a data URL decoded strictly; each capped and
/// recognised by its magic number.
/// </summary>
internal sealed class SourceLoader(HermesContext ctx)
{
    private const int MaxLinkHops = 40;

    public async Task<Either<HermesError, SourceImage>> LoadAsync(string given, string role, string fallbackName, CancellationToken ct)
    {
        var parsed = ImageSourceModule.parse(ctx.Environment.UserHome, given ?? "");
        if (parsed.IsError)
        {
            return Invalid(role, parsed.ErrorValue);
        }
        var source = parsed.ResultValue;
        var loaded = source switch
        {
            ImageSource.LocalPath local => ReadLocal(local.path, role),
            ImageSource.Remote remote => (await ctx.Cache.DownloadAsync(remote.url, ct)).MapLeft(e => AsSourceError(e, role)),
            ImageSource.DataUrl data => ctx.Cache.DecodeImage(data.url).MapLeft(e => AsSourceError(e, role)),
            _ => Invalid(role, ImageSourceModule.allowed),
        };
        return loaded.Map(image => new SourceImage(source, image.Bytes, image.Info, EditRequests.fileName(source, image.Info.Format, fallbackName)));
    }

    private Either<HermesError, DownloadedImage> ReadLocal(string path, string role)
    {
        string full;
        try
        {
            full = Path.GetFullPath(path);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            return Invalid(role, $"'{TerminalText.sanitize(path)}' is not a usable path: {e.Message}");
        }
        var real = RealPath(full);
        if (Guard(full, real) is { } refused)
        {
            return Invalid(role, refused);
        }
        var shown = TerminalText.sanitize(path);
        var cap = ctx.Cache.MaxImageBytes;
        try
        {
            // Only a regular file has a size: FIFOs, devices and /proc entries report 0 and are never opened.
            var info = new FileInfo(real);
            if (!info.Exists)
            {
                return Invalid(role, $"'{shown}' does not exist or is not a file");
            }
            if (info.Length == 0)
            {
                return Invalid(role, $"'{shown}' is empty or not a regular file");
            }
            if (info.Length > cap)
            {
                return Invalid(role, $"'{shown}' has {info.Length} bytes, over the {cap / (1024.0 * 1024.0):0.#} MiB cap ({cap} bytes)");
            }
            using var file = new FileStream(real, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
            var bytes = new byte[info.Length];
            var total = 0;
            int read;
            while (total < bytes.Length && (read = file.Read(bytes, total, bytes.Length - total)) > 0)
            {
                total += read;
            }
            if (total != bytes.Length || file.ReadByte() >= 0)
            {
                return Invalid(role, $"'{shown}' changed while it was read");
            }
            return ImageHeader.read(bytes) is { } header
                ? new DownloadedImage(bytes, header.Value)
                : Invalid(role, $"'{shown}' is not an image (its first bytes are not PNG, JPEG, WebP or GIF)");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Invalid(role, $"cannot read '{shown}': {e.Message}");
        }
    }

    /// <summary>The read guard on the path as given and as resolved, against $HERMES_HOME and the credential stores as given and as resolved.</summary>
    private string? Guard(string full, string real)
    {
        var home = Path.GetFullPath(ctx.Environment.HermesHome);
        var stores = ReadGuard.credentialStores(ctx.Environment.UserHome, Core.Fs.Opt(ctx.Environment.Get("CODEX_HOME").IfNoneUnsafe((string?)null)))
            .SelectMany(store => new[] { store, RealPath(Path.GetFullPath(store)) })
            .Distinct()
            .ToList();
        foreach (var hermesHome in new[] { home, RealPath(home) }.Distinct())
        {
            var paths = new ReadGuardPaths(hermesHome, Microsoft.FSharp.Collections.ListModule.OfSeq(stores));
            foreach (var candidate in new[] { full, real }.Distinct())
            {
                var verdict = ReadGuard.check(paths, candidate);
                if (verdict.IsError)
                {
                    return verdict.ErrorValue;
                }
            }
        }
        return null;
    }

    /// <summary>The path with every symbolic link along it resolved, so a link cannot lead the read into a guarded place.</summary>
    internal static string RealPath(string fullPath)
    {
        var separators = new[] { Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar };
        var root = Path.GetPathRoot(fullPath) ?? "/";
        var pending = new Stack<string>(fullPath[root.Length..].Split(separators, StringSplitOptions.RemoveEmptyEntries).Reverse());
        var current = root;
        var hops = 0;
        while (pending.Count > 0)
        {
            var name = pending.Pop();
            if (name == ".")
            {
                continue;
            }
            if (name == "..")
            {
                current = Path.GetDirectoryName(current) ?? root;
                continue;
            }
            var next = Path.Combine(current, name);
            string? target;
            try
            {
                target = new FileInfo(next).LinkTarget;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                target = null;
            }
            if (target is null || ++hops > MaxLinkHops)
            {
                current = next;
                continue;
            }
            var resolved = Path.GetFullPath(Path.IsPathRooted(target) ? target : Path.Combine(current, target));
            var resolvedRoot = Path.GetPathRoot(resolved) ?? "/";
            foreach (var part in resolved[resolvedRoot.Length..].Split(separators, StringSplitOptions.RemoveEmptyEntries).Reverse())
            {
                pending.Push(part);
            }
            current = resolvedRoot;
        }
        return current;
    }

    private static HermesError Invalid(string role, string message) => new(ErrorKind.InvalidArgument, $"{role}: {message}");

    /// <summary>A source the user named that is refused or not an image is bad input; a network failure stays what it is.</summary>
    private static HermesError AsSourceError(HermesError error, string role) =>
        error.Kind.IsNetwork || error.Kind.IsTimeout || error.Kind.IsStorage
            ? error with { Message = $"{role}: {error.Message}" }
            : new HermesError(ErrorKind.InvalidArgument, $"{role}: {error.Message}", error.HttpStatus);
}
