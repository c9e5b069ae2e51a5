using Hermes.Domain;

namespace Hermes.Providers.Cache;

/// <summary>An image kept in the cache: its path and what its header says.</summary>
internal sealed record SavedImage(string Path, ImageFormat Format, int? Width, int? Height, long Bytes)
{
    /// <summary>"WxH" when the header told the size.</summary>
    public string? PixelSize => Width is { } w && Height is { } h ? $"{w}x{h}" : null;
}
