using System.Buffers;
using Hermes.Domain;
using Hermes.Providers.Core;
using LanguageExt;

namespace Hermes.Providers.Http;

/// <summary>Reads a body through a limit: refused by Content-Length before reading, or as soon as the running count passes it.</summary>
internal static class BoundedReader
{
    private const int ChunkSize = 256 * 1024;

    public static async Task<Either<HermesError, ResponseBody>> ReadAsync(HttpContent content, long limit, string label, CancellationToken ct)
    {
        if (content.Headers.ContentLength is { } announced && announced > limit)
        {
            return TooLarge(label, limit);
        }
        await using var stream = await content.ReadAsStreamAsync(ct);
        ChunkSegment? first = null;
        ChunkSegment? last = null;
        long total = 0;
        while (true)
        {
            var chunk = new byte[ChunkSize];
            var filled = 0;
            int read;
            while (filled < chunk.Length && (read = await stream.ReadAsync(chunk.AsMemory(filled), ct)) > 0)
            {
                filled += read;
                if (total + filled > limit)
                {
                    return TooLarge(label, limit);
                }
            }
            if (filled > 0)
            {
                var memory = chunk.AsMemory(0, filled);
                last = last is null ? first = new ChunkSegment(memory, 0) : last.Append(memory);
                total += filled;
            }
            if (filled < chunk.Length)
            {
                break;
            }
        }
        return first is null || last is null
            ? ResponseBody.Empty
            : new ResponseBody(new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length));
    }

    public static HermesError TooLarge(string label, long limit) =>
        new(ErrorKind.InvalidResponse, $"{label} sent a response too large: more than {limit / (1024 * 1024)} MiB");
}
