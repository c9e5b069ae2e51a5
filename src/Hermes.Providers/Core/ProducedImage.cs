using System.Buffers;

namespace Hermes.Providers.Core;

/// <summary>An image as a provider's answer carries it, before the cache makes it a file.</summary>
internal abstract record ProducedImage
{
    private ProducedImage() { }

    /// <summary>Base64 as a slice of the answer's body.</summary>
    public sealed record Encoded(ReadOnlySequence<byte> Base64) : ProducedImage;

    /// <summary>Base64 or a data URL already read as text (a Codex stream's result).</summary>
    public sealed record EncodedText(string Base64) : ProducedImage;

    /// <summary>A URL to download under the trust rules.</summary>
    public sealed record Link(string Url) : ProducedImage;

    /// <summary>An image of the answer that cannot be kept (a FAL safety flag): its error stands for it in the result.</summary>
    public sealed record Refused(HermesError Error) : ProducedImage;
}
