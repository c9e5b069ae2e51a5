using System.Buffers;
using System.Text;
using Hermes.Domain;
using Hermes.Providers.Core;
using LanguageExt;

namespace Hermes.Providers.Http;

/// <summary>Folds a server-sent-events body line by line: each line bounded, each read within the idle gap; keep-alives never extend the caller's deadline.</summary>
internal static class SseReader
{
    private const int ReadSize = 64 * 1024;

    public static async Task<Either<HermesError, TState>> FoldAsync<TState>(
        HttpContent content, TState seed, Func<TState, string, TState> feed, TimeSpan idle, string label, CancellationToken ct)
    {
        using var idleTimer = CancellationTokenSource.CreateLinkedTokenSource(ct);
        idleTimer.CancelAfter(idle);
        await using var stream = await content.ReadAsStreamAsync(idleTimer.Token);
        var line = new ArrayBufferWriter<byte>();
        var buffer = new byte[ReadSize];
        var state = seed;
        while (true)
        {
            int read;
            try
            {
                idleTimer.CancelAfter(idle);
                read = await stream.ReadAsync(buffer, idleTimer.Token);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                return new HermesError(ErrorKind.Timeout, $"{label} sent nothing for {idle.TotalSeconds:0.#} s");
            }
            if (read == 0)
            {
                return line.WrittenCount > 0 ? feed(state, Decode(line)) : state;
            }
            var chunk = buffer.AsSpan(0, read);
            int newline;
            while ((newline = chunk.IndexOf((byte)'\n')) >= 0)
            {
                if (line.WrittenCount + newline > Limits.maxSseLineBytes)
                {
                    return BoundedReader.TooLarge(label, Limits.maxSseLineBytes);
                }
                line.Write(chunk[..newline]);
                state = feed(state, Decode(line));
                line.ResetWrittenCount();
                chunk = chunk[(newline + 1)..];
            }
            if (line.WrittenCount + chunk.Length > Limits.maxSseLineBytes)
            {
                return BoundedReader.TooLarge(label, Limits.maxSseLineBytes);
            }
            line.Write(chunk);
        }
    }

    private static string Decode(ArrayBufferWriter<byte> line)
    {
        var span = line.WrittenSpan;
        return Encoding.UTF8.GetString(span.Length > 0 && span[^1] == (byte)'\r' ? span[..^1] : span);
    }
}
