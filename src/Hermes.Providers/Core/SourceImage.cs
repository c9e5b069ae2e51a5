using Hermes.Domain;

namespace Hermes.Providers.Core;

/// <summary>An edit source loaded and checked before any paid request: its bytes, what its header says and the name it goes by.</summary>
internal sealed record SourceImage(ImageSource Source, byte[] Bytes, ImageInfo Info, string FileName)
{
    public string MediaType => ImageHeader.mediaType(Info.Format);

    /// <summary>The bytes as a data URL with the media type of their magic number.</summary>
    public string DataUrl => $"data:{MediaType};base64,{Convert.ToBase64String(Bytes)}";

    /// <summary>For a provider that fetches images itself: the http(s) URL as given, else the data URL.</summary>
    public string UrlForProvider => Source is ImageSource.Remote remote ? remote.url : DataUrl;
}
