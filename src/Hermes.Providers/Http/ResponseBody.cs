using System.Buffers;
using System.Text;

namespace Hermes.Providers.Http;

/// <summary>A response body read through a limit, kept as a chain of chunks so a large body is never one array or string.</summary>
internal sealed class ResponseBody
{
    private const int PreviewBytes = 16 * 1024;

    public static readonly ResponseBody Empty = new(ReadOnlySequence<byte>.Empty);

    public ResponseBody(ReadOnlySequence<byte> bytes) => Bytes = bytes;

    public ReadOnlySequence<byte> Bytes { get; }

    public long Length => Bytes.Length;

    /// <summary>The first 16 KiB as text: enough for any error message, bounded for any body.</summary>
    public string Preview => Encoding.UTF8.GetString(Bytes.Slice(0, Math.Min(Bytes.Length, PreviewBytes)));
}
