using System.Security.Cryptography;
using System.Text;
using Hermes.Domain;
using Hermes.Providers.Config;
using Hermes.Providers.Storage;
using Microsoft.Extensions.Logging;

namespace Hermes.Providers.Cache;

/// <summary>
/// The cache folder as a collection: its images with their provenance sidecars (NAME.json), and pruning by
/// <see cref="CachePrune.plan"/>, which removes an image together with its sidecar.
/// </summary>
internal sealed class CacheFolder(string directory, ILogger logger)
{
    private static readonly System.Collections.Generic.HashSet<string> ImageExtensions = [".png", ".jpg", ".jpeg", ".webp", ".gif"];

    public string Directory { get; } = directory;

    /// <summary>Every image, oldest first; a missing folder is an empty cache.</summary>
    public IReadOnlyList<CachedImage> List()
    {
        if (!System.IO.Directory.Exists(Directory))
        {
            return [];
        }
        return System.IO.Directory.EnumerateFiles(Directory)
            .Where(path => !System.IO.Path.GetFileName(path).StartsWith('.') && ImageExtensions.Contains(System.IO.Path.GetExtension(path).ToLowerInvariant()))
            .Select(Describe)
            .OfType<CachedImage>()
            .OrderBy(image => image.WrittenUtc).ThenBy(image => image.Path, StringComparer.Ordinal)
            .ToList();
    }

    private CachedImage? Describe(string path)
    {
        try
        {
            var image = new FileInfo(path);
            var sidecar = new FileInfo(SidecarOf(path));
            Provenance? provenance = null;
            if (sidecar.Exists)
            {
                var read = ProvenanceModule.ofJson(File.ReadAllText(sidecar.FullName));
                provenance = read.IsOk ? read.ResultValue : null;
            }
            return new CachedImage(path, image.Length + (sidecar.Exists ? sidecar.Length : 0), image.LastWriteTimeUtc, provenance);
        }
        catch (IOException)
        {
            return null; // removed by another process while listing
        }
    }

    /// <summary>Deletes what the plan names (image and sidecar), oldest first, sparing <paramref name="keep"/> and, when
    /// <paramref name="sparedSince"/> is given, every file written since then (the pruning call's start, in file-system time); returns what was removed.</summary>
    public IReadOnlyList<CachedImage> Prune(DateTime nowUtc, CacheLimits limits, IEnumerable<string> keep, DateTime? sparedSince = null)
    {
        var images = List();
        var byName = images.ToDictionary(image => System.IO.Path.GetFileName(image.Path), StringComparer.Ordinal);
        var facts = Microsoft.FSharp.Collections.ListModule.OfSeq(images.Select(image => image.Facts));
        var recent = sparedSince is { } since ? CachePrune.writtenSince(since, facts) : Microsoft.FSharp.Collections.FSharpList<string>.Empty;
        var keepNames = Microsoft.FSharp.Collections.ListModule.OfSeq(keep.Select(path => System.IO.Path.GetFileName(path)).Concat(recent));
        var plan = CachePrune.plan(nowUtc, limits, keepNames, facts);
        var removed = new List<CachedImage>();
        foreach (var file in plan)
        {
            var image = byName[file.Name];
            try
            {
                File.Delete(SidecarOf(image.Path));
                File.Delete(image.Path);
                removed.Add(image);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                logger.LogWarning("could not remove {Image} from the cache: {Reason}", image.Path, e.Message);
            }
        }
        return removed;
    }

    /// <summary>Writes NAME.json next to the image atomically, with the sha256 of the file as written; false (and a warning) when it cannot.</summary>
    public async Task<bool> WriteSidecarAsync(string imagePath, Provenance provenance, CancellationToken ct)
    {
        try
        {
            string sha;
            await using (var image = new FileStream(imagePath, FileMode.Open, FileAccess.Read, FileShare.Read, 128 * 1024, FileOptions.Asynchronous | FileOptions.SequentialScan))
            {
                sha = Convert.ToHexStringLower(await SHA256.HashDataAsync(image, ct));
            }
            var written = AtomicFile.Write(SidecarOf(imagePath), Encoding.UTF8.GetBytes(ProvenanceModule.toJson(ProvenanceModule.withSha256(sha, provenance))), null);
            return written.Match(
                Right: _ => true,
                Left: error =>
                {
                    logger.LogWarning("kept {Image} without its provenance sidecar: {Reason}", imagePath, error.Message);
                    return false;
                });
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            logger.LogWarning("kept {Image} without its provenance sidecar: {Reason}", imagePath, e.Message);
            return false;
        }
    }

    public static string SidecarOf(string imagePath) =>
        System.IO.Path.Combine(System.IO.Path.GetDirectoryName(imagePath) ?? "", ProvenanceModule.sidecarName(System.IO.Path.GetFileName(imagePath)));

    /// <summary>image_gen.cache.max_age_days and max_total_mb from config.yaml; a missing or unusable value is its default.</summary>
    public static CacheLimits LimitsIn(string hermesHome)
    {
        long? Setting(string key)
        {
            var text = HermesConfig.Get(hermesHome, key).Match(Right: value => value.IfNone(""), Left: _ => "");
            return long.TryParse(text.Trim(), out var n) && n > 0 ? n : null;
        }
        var days = Setting("image_gen.cache.max_age_days") ?? 30;
        var megabytes = Setting("image_gen.cache.max_total_mb") ?? 2048;
        return new CacheLimits(TimeSpan.FromDays(Math.Min(days, 36500)), megabytes * 1024 * 1024);
    }
}
