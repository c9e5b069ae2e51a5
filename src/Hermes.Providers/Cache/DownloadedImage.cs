using Hermes.Domain;

namespace Hermes.Providers.Cache;

/// <summary>An image fetched or decoded into memory (an edit source): its bytes and what its header says.</summary>
internal sealed record DownloadedImage(byte[] Bytes, ImageInfo Info);
