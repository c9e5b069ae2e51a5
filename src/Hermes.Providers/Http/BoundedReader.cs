using System.Buffers;
using Hermes.Domain;
using Hermes.Providers.Core;
using LanguageExt;

namespace Hermes.Providers.Http;

/// <summary>
/// Reads a body through a limit: refused by Content-Length before reading, or as soon as the running count passes it.
/// Past the first 8 MiB the body goes to a private temp file until it is complete, so a body refused at the limit never
/// sat in memory (trust.md: "memory flat"). A body that goes silent for longer than the idle gap is a timeout, whatever the
/// total deadline has left.
/// </summary>
internal static class BoundedReader
{
    private const int ChunkSize = 256 * 1024;
    private const long InMemoryBytes = 8 * 1024 * 1024;

    public static async Task<Either<HermesError, ResponseBody>> ReadAsync(
        HttpContent content, long limit, string label, TimeSpan idle, CancellationToken ct)
    {
        if (content.Headers.ContentLength is { } announced && announced > limit)
        {
            return TooLarge(label, limit);
        }
        await using var stream = new IdleGuardedStream(await content.ReadAsStreamAsync(ct), idle, ct);
        try
        {
            return await ReadGuardedAsync(stream, limit, label, ct);
        }
        catch (OperationCanceledException) when (stream.WentSilent && !ct.IsCancellationRequested)
        {
            return new HermesError(ErrorKind.Timeout, $"{label} sent nothing for {idle.TotalSeconds:0.#} s in the middle of its answer");
        }
    }

    private static async Task<Either<HermesError, ResponseBody>> ReadGuardedAsync(Stream stream, long limit, string label, CancellationToken ct)
    {
        var chunks = new List<ReadOnlyMemory<byte>>();
        long total = 0;
        while (total <= InMemoryBytes)
        {
            var chunk = await FillAsync(stream, ct);
            total += chunk.Length;
            if (total > limit)
            {
                return TooLarge(label, limit);
            }
            if (chunk.Length > 0)
            {
                chunks.Add(chunk);
            }
            if (chunk.Length < ChunkSize)
            {
                return Body(chunks);
            }
        }
        return await SpoolAsync(stream, chunks, total, limit, label, ct);
    }

    public static HermesError TooLarge(string label, long limit) =>
        new(ErrorKind.InvalidResponse, $"{label} sent a response too large: more than {limit / (1024 * 1024)} MiB");

    /// <summary>The rest of a large body through a temp file only this user can read, deleted when closed; read back only when complete.</summary>
    private static async Task<Either<HermesError, ResponseBody>> SpoolAsync(
        Stream stream, List<ReadOnlyMemory<byte>> head, long total, long limit, string label, CancellationToken ct)
    {
        var path = Path.Combine(Path.GetTempPath(), $"hermes-{Guid.NewGuid():N}.body");
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.ReadWrite,
            Share = FileShare.None,
            Options = FileOptions.DeleteOnClose | FileOptions.Asynchronous,
        };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }
        FileStream spool;
        try
        {
            spool = new FileStream(path, options);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new HermesError(ErrorKind.Storage, $"cannot hold the {label} response in {Path.GetTempPath()}: {e.Message}");
        }
        await using (spool)
        {
            foreach (var chunk in head)
            {
                await spool.WriteAsync(chunk, ct);
            }
            head.Clear();
            var buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
            try
            {
                int read;
                while ((read = await stream.ReadAsync(buffer.AsMemory(0, ChunkSize), ct)) > 0)
                {
                    total += read;
                    if (total > limit)
                    {
                        return TooLarge(label, limit);
                    }
                    await spool.WriteAsync(buffer.AsMemory(0, read), ct);
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
            spool.Position = 0;
            var chunks = new List<ReadOnlyMemory<byte>>();
            ReadOnlyMemory<byte> next;
            while ((next = await FillAsync(spool, ct)).Length > 0)
            {
                chunks.Add(next);
            }
            return Body(chunks);
        }
    }

    /// <summary>One new chunk, as full as the stream allows; shorter only at the end of the stream.</summary>
    private static async Task<ReadOnlyMemory<byte>> FillAsync(Stream stream, CancellationToken ct)
    {
        var chunk = new byte[ChunkSize];
        var filled = 0;
        int read;
        while (filled < chunk.Length && (read = await stream.ReadAsync(chunk.AsMemory(filled), ct)) > 0)
        {
            filled += read;
        }
        return chunk.AsMemory(0, filled);
    }

    private static ResponseBody Body(List<ReadOnlyMemory<byte>> chunks)
    {
        if (chunks.Count == 0)
        {
            return ResponseBody.Empty;
        }
        var first = new ChunkSegment(chunks[0], 0);
        var last = first;
        foreach (var chunk in chunks.Skip(1))
        {
            last = last.Append(chunk);
        }
        return new ResponseBody(new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length));
    }
}
