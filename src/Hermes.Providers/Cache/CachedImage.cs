using Hermes.Domain;

namespace Hermes.Providers.Cache;

/// <summary>An image file of the cache with its size (sidecar included), write time and, when readable, its provenance sidecar.</summary>
internal sealed record CachedImage(string Path, long Bytes, DateTime WrittenUtc, Provenance? Provenance)
{
    public CachedFile Facts => new(System.IO.Path.GetFileName(Path), Bytes, WrittenUtc);
}
