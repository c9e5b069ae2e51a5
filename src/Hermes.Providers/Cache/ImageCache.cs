using System.Buffers;
using System.Buffers.Text;
using System.Diagnostics;
using System.Security.Cryptography;
using Flurl.Http;
using Hermes.Domain;
using Hermes.Providers.Core;
using Hermes.Providers.Http;
using LanguageExt;
using Microsoft.Extensions.Logging;

namespace Hermes.Providers.Cache;

/// <summary>
/// Puts every image under $HERMES_HOME/cache/images/. Only bytes whose magic number is an image are kept, never more than
/// the cap, written to a temp file and renamed into place, so a reader never sees a partial image and a failure leaves none.
/// URLs are fetched under trust.md: http(s) only, internal addresses refused (also at connect time), redirects checked hop by hop.
/// </summary>
internal sealed class ImageCache(string directory, IFlurlClient http, TrustedOrigins trusted, TimeProvider clock, ILogger logger)
{
    private const int BufferSize = 128 * 1024;
    private const int HeadBytes = 64 * 1024;
    // The body is copied to the file in chunks this large: a quarter of the syscalls and awaits of 128 KiB (bench/results.md, URL → cache)
    private const int CopyChunkBytes = 1024 * 1024;
    private static readonly TimeSpan StalePart = TimeSpan.FromHours(1);
    private int swept;

    public static string DirectoryIn(string hermesHome) => Path.Combine(hermesHome, "cache", "images");

    public string Directory { get; } = directory;

    public long MaxImageBytes { get; init; } = Limits.maxImageBytes;

    /// <summary>Longest wait for response headers.</summary>
    public TimeSpan HeadersTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Longest gap between two reads of the body.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Longest whole download, redirects included.</summary>
    public TimeSpan TotalTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Raw base64 or a data:image/…;base64, URL (Codex results, data URLs in answers).</summary>
    public Task<Either<HermesError, SavedImage>> SaveBase64Async(string base64, string prefix, CancellationToken ct)
    {
        var payload = ImageFile.base64Payload(base64 ?? "");
        return payload.IsOk
            ? SaveBase64Async(new ReadOnlySequence<byte>(System.Text.Encoding.ASCII.GetBytes(payload.ResultValue)), prefix, ct)
            : Task.FromResult<Either<HermesError, SavedImage>>(new HermesError(ErrorKind.InvalidResponse, payload.ErrorValue.Message));
    }

    /// <summary>Base64 as a slice of an answer's body, decoded without ever becoming a string.</summary>
    public async Task<Either<HermesError, SavedImage>> SaveBase64Async(ReadOnlySequence<byte> base64, string prefix, CancellationToken ct)
    {
        if (Limits.base64DecodedLength(base64.Length) > MaxImageBytes)
        {
            return TooLarge($"the base64 image decodes to about {Limits.base64DecodedLength(base64.Length)} bytes");
        }
        var decoded = Decode(base64);
        return await decoded.BindAsync(bytes => SaveBytesAsync(bytes, prefix, ct));
    }

    /// <summary>Bytes already in memory (decoded base64, edit sources).</summary>
    public Task<Either<HermesError, SavedImage>> SaveBytesAsync(ReadOnlyMemory<byte> bytes, string prefix, CancellationToken ct)
    {
        if (bytes.Length > MaxImageBytes)
        {
            return Task.FromResult<Either<HermesError, SavedImage>>(TooLarge($"the image has {bytes.Length} bytes"));
        }
        return WriteNewAsync(prefix, async (file, token) =>
        {
            await file.WriteAsync(bytes, token);
            return bytes.Length;
        }, bytes[..Math.Min(bytes.Length, HeadBytes)].ToArray(), bytes.Length, ct);
    }

    public Task<Either<HermesError, SavedImage>> SaveUrlAsync(string url, string prefix, CancellationToken ct) =>
        FetchAsync(url,
            dataUrl => SaveBase64Async(dataUrl, prefix, ct),
            (content, uri, clockOf) => StreamToFileAsync(content, uri, prefix, clockOf, ct),
            ct);

    /// <summary>An image URL fetched into memory under the same rules as <see cref="SaveUrlAsync"/> (edit sources); nothing is written.</summary>
    public Task<Either<HermesError, DownloadedImage>> DownloadAsync(string url, CancellationToken ct) =>
        FetchAsync(url,
            dataUrl => Task.FromResult(DecodeImage(dataUrl)),
            (content, uri, clockOf) => ReadToMemoryAsync(content, uri, clockOf, ct),
            ct);

    /// <summary>Raw base64 or a data:image/…;base64, URL decoded strictly within the cap, and recognised as an image by its magic number.</summary>
    public Either<HermesError, DownloadedImage> DecodeImage(string base64)
    {
        var payload = ImageFile.base64Payload(base64 ?? "");
        if (!payload.IsOk)
        {
            return new HermesError(ErrorKind.InvalidResponse, payload.ErrorValue.Message);
        }
        var text = payload.ResultValue;
        if (Limits.base64DecodedLength(text.Length) > MaxImageBytes)
        {
            return TooLarge($"the base64 image decodes to about {Limits.base64DecodedLength(text.Length)} bytes");
        }
        return Decode(new ReadOnlySequence<byte>(System.Text.Encoding.ASCII.GetBytes(text))).Bind(memory => Recognise(memory.ToArray()));
    }

    /// <summary>Follows redirects itself (each hop checked), then hands the body to <paramref name="onBody"/>; a data URL goes to <paramref name="inline"/>.</summary>
    private async Task<Either<HermesError, T>> FetchAsync<T>(
        string url,
        Func<string, Task<Either<HermesError, T>>> inline,
        Func<HttpContent, Uri, ReadClock, Task<Either<HermesError, T>>> onBody,
        CancellationToken ct)
    {
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var clockStarted = Stopwatch.StartNew();
        var verdict = ImageUrl.classify(trusted.List, url ?? "");
        for (var hop = 0; ; hop++)
        {
            switch (verdict)
            {
                case UrlVerdict.Refused refused:
                    return new HermesError(ErrorKind.InvalidResponse, $"refused the image URL: {refused.reason}");
                case UrlVerdict.Inline inlined:
                    return await inline(inlined.dataUrl);
            }
            var uri = ((UrlVerdict.Fetch)verdict).Item;
            IFlurlResponse response;
            try
            {
                timer.CancelAfter(HeadersTimeout);
                response = await http.Request(uri).AllowAnyHttpStatus().WithAutoRedirect(false)
                    .WithHeader("User-Agent", HermesVersion.UserAgent)
                    .SendAsync(HttpMethod.Get, null, HttpCompletionOption.ResponseHeadersRead, timer.Token);
            }
            catch (Exception e) when (Failed(e, uri, HeadersTimeout, ct) is { } failure)
            {
                return failure;
            }
            using (response)
            {
                if (response.StatusCode is >= 300 and < 400)
                {
                    if (hop >= Limits.maxRedirects)
                    {
                        return new HermesError(ErrorKind.InvalidResponse, $"downloading {Redact.Url(url ?? "")} was redirected more than {Limits.maxRedirects} times");
                    }
                    var location = response.ResponseMessage.Headers.Location?.OriginalString;
                    verdict = ImageUrl.redirect(trusted.List, uri, Fs.Opt(location));
                    continue;
                }
                if (response.StatusCode >= 400)
                {
                    return new HermesError(ErrorKind.ProviderError, $"downloading {Redact.Url(uri.ToString())} returned HTTP {response.StatusCode}", response.StatusCode);
                }
                var content = response.ResponseMessage.Content;
                if (content.Headers.ContentLength is { } announced && announced > MaxImageBytes)
                {
                    return TooLarge($"the server announces {announced} bytes");
                }
                return await onBody(content, uri, new ReadClock(timer, clockStarted));
            }
        }
    }

    /// <summary>The whole body in memory, never more than the cap, kept only when its magic number is an image.</summary>
    private async Task<Either<HermesError, DownloadedImage>> ReadToMemoryAsync(HttpContent content, Uri uri, ReadClock clockOf, CancellationToken ct)
    {
        var opened = await OpenBodyAsync(content, uri, clockOf, ct);
        if (opened.Error is { } notOpened)
        {
            return notOpened;
        }
        await using (var body = opened.Body!)
        {
            using var memory = new MemoryStream();
            var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
            try
            {
                while (true)
                {
                    var read = await ReadIdleAsync(body, buffer.AsMemory(0, BufferSize), clockOf, ct);
                    if (read.Error is { } failure)
                    {
                        return failure with { Message = $"{failure.Message} after {memory.Length} bytes" };
                    }
                    if (read.Count == 0)
                    {
                        break;
                    }
                    if (memory.Length + read.Count > MaxImageBytes)
                    {
                        return TooLarge($"the server sent more than {MaxImageBytes} bytes");
                    }
                    memory.Write(buffer, 0, read.Count);
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
            if (memory.Length == 0)
            {
                return new HermesError(ErrorKind.InvalidResponse, $"downloading {Redact.Url(uri.ToString())} returned an empty body");
            }
            return Recognise(memory.ToArray());
        }
    }

    private static Either<HermesError, DownloadedImage> Recognise(byte[] bytes) =>
        ImageHeader.read(bytes) is { } info
            ? new DownloadedImage(bytes, info.Value)
            : new HermesError(ErrorKind.InvalidResponse, "the answer is not an image (its first bytes are not PNG, JPEG, WebP or GIF)");

    /// <summary>For providers: the cached image, or the bare URL after one warning when a download that was allowed fails (an expired URL), so the call still succeeds; a refused URL or non-image bytes stay errors.</summary>
    public async Task<Either<HermesError, Either<string, SavedImage>>> CacheOrFallbackAsync(string url, string prefix, CancellationToken ct)
    {
        var saved = await SaveUrlAsync(url, prefix, ct);
        return saved.Match<Either<HermesError, Either<string, SavedImage>>>(
            Right: image => Prelude.Right<string, SavedImage>(image),
            Left: error =>
            {
                if (error.Kind.IsInvalidResponse || error.Kind.IsStorage)
                {
                    return error;
                }
                logger.LogWarning("could not cache image from {Source}: {Reason}; returning the URL instead", Redact.Url(url), error.Message);
                return Prelude.Left<string, SavedImage>(url);
            });
    }

    private async Task<Either<HermesError, SavedImage>> StreamToFileAsync(HttpContent content, Uri uri, string prefix, ReadClock clockOf, CancellationToken ct)
    {
        var opened = await OpenBodyAsync(content, uri, clockOf, ct);
        if (opened.Error is { } notOpened)
        {
            return notOpened;
        }
        await using (var body = opened.Body!)
        {
            var head = new byte[HeadBytes];
            var headLength = 0;
            while (headLength < head.Length)
            {
                var read = await ReadIdleAsync(body, head.AsMemory(headLength), clockOf, ct);
                if (read.Error is { } failure)
                {
                    return failure with { Message = $"{failure.Message} after {headLength} bytes" };
                }
                if (read.Count == 0)
                {
                    break;
                }
                headLength += read.Count;
                if (headLength > MaxImageBytes)
                {
                    return TooLarge($"the server sent more than {MaxImageBytes} bytes");
                }
            }
            if (headLength == 0)
            {
                return new HermesError(ErrorKind.InvalidResponse, $"downloading {Redact.Url(uri.ToString())} returned an empty body");
            }
            var first = head[..headLength];
            // An announced length (already within the cap) reserves the file's blocks up front; a full disk fails here, before the body is read
            var announced = content.Headers.ContentLength ?? 0;
            return await WriteNewAsync(prefix, (file, token) => CopyRestAsync(body, first, file, clockOf, token, ct), first, announced, ct);
        }
    }

    private async Task<Either<HermesError, long>> CopyRestAsync(Stream body, byte[] head, Stream file, ReadClock clockOf, CancellationToken token, CancellationToken ct)
    {
        await file.WriteAsync(head, token);
        long total = head.Length;
        if (head.Length < HeadBytes)
        {
            return total;
        }
        var buffer = ArrayPool<byte>.Shared.Rent(CopyChunkBytes);
        try
        {
            while (true)
            {
                var read = await ReadIdleAsync(body, buffer.AsMemory(0, CopyChunkBytes), clockOf, ct);
                if (read.Error is { } failure)
                {
                    return failure with { Message = $"{failure.Message} after {total} bytes" };
                }
                var count = read.Count;
                if (count == 0)
                {
                    return total;
                }
                total += count;
                if (total > MaxImageBytes)
                {
                    return TooLarge($"the server sent more than {MaxImageBytes} bytes");
                }
                await file.WriteAsync(buffer.AsMemory(0, count), token);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>One read within the idle gap and the total deadline; timeouts and network failures as values.</summary>
    private async Task<ChunkRead> ReadIdleAsync(Stream body, Memory<byte> into, ReadClock clockOf, CancellationToken ct)
    {
        if (clockOf.Started.Elapsed > TotalTimeout)
        {
            return new ChunkRead(0, new HermesError(ErrorKind.Timeout, $"the download took longer than {TotalTimeout.TotalSeconds:0} s"));
        }
        try
        {
            clockOf.Timer.CancelAfter(IdleTimeout);
            return new ChunkRead(await body.ReadAsync(into, clockOf.Timer.Token), null);
        }
        catch (Exception e) when (Failed(e, null, IdleTimeout, ct) is { } failure)
        {
            return new ChunkRead(0, failure);
        }
    }

    /// <summary>The body's stream within the idle gap; a failure to open it as a value.</summary>
    private async Task<OpenedBody> OpenBodyAsync(HttpContent content, Uri uri, ReadClock clockOf, CancellationToken ct)
    {
        try
        {
            clockOf.Timer.CancelAfter(IdleTimeout);
            return new OpenedBody(await content.ReadAsStreamAsync(clockOf.Timer.Token), null);
        }
        catch (Exception e) when (Failed(e, uri, IdleTimeout, ct) is { } failure)
        {
            return new OpenedBody(null, failure);
        }
    }

    private readonly record struct OpenedBody(Stream? Body, HermesError? Error);

    private readonly record struct ReadClock(CancellationTokenSource Timer, Stopwatch Started);

    private readonly record struct ChunkRead(int Count, HermesError? Error);

    private Either<HermesError, ReadOnlyMemory<byte>> Decode(ReadOnlySequence<byte> base64)
    {
        var output = new byte[(int)Math.Min(Limits.base64DecodedLength(base64.Length), MaxImageBytes + 3)];
        var staging = new byte[BufferSize];
        var staged = 0;
        var written = 0;
        foreach (var segment in base64)
        {
            var source = segment.Span;
            while (!source.IsEmpty)
            {
                var take = Math.Min(source.Length, staging.Length - staged);
                source[..take].CopyTo(staging.AsSpan(staged));
                source = source[take..];
                staged += take;
                if (staged == staging.Length && !DecodeStaged(staging, ref staged, output, ref written, isFinal: false))
                {
                    return InvalidBase64();
                }
            }
        }
        if (!DecodeStaged(staging, ref staged, output, ref written, isFinal: true) || written == 0)
        {
            return InvalidBase64();
        }
        return (ReadOnlyMemory<byte>)output.AsMemory(0, written); // a view: output[..written] would copy the whole image once more
    }

    private static bool DecodeStaged(byte[] staging, ref int staged, byte[] output, ref int written, bool isFinal)
    {
        var status = Base64.DecodeFromUtf8(staging.AsSpan(0, staged), output.AsSpan(written), out var consumed, out var produced, isFinal);
        written += produced;
        staging.AsSpan(consumed, staged - consumed).CopyTo(staging);
        staged -= consumed;
        return status == OperationStatus.Done || (!isFinal && status == OperationStatus.NeedMoreData);
    }

    private static HermesError InvalidBase64() => new(ErrorKind.InvalidResponse, "the image is not valid base64");

    private HermesError TooLarge(string detail) =>
        new(ErrorKind.InvalidResponse, $"image exceeds the {MaxImageBytes / (1024.0 * 1024.0):0.#} MiB cap ({MaxImageBytes} bytes): {detail}");

    private static HermesError? Failed(Exception e, Uri? uri, TimeSpan timeout, CancellationToken ct) =>
        ProviderTransport.Failure(e, uri is null ? "the image server" : $"the image server ({Redact.Url(uri.ToString())})", timeout, ct);

    /// <summary>Checks the magic number first, then writes to a temp file in the cache folder and renames it into place.</summary>
    private async Task<Either<HermesError, SavedImage>> WriteNewAsync(
        string prefix, Func<Stream, CancellationToken, Task<Either<HermesError, long>>> write, byte[] head, long preallocate, CancellationToken ct)
    {
        var info = ImageHeader.read(head);
        if (info is null)
        {
            return new HermesError(ErrorKind.InvalidResponse, "the answer is not an image (its first bytes are not PNG, JPEG, WebP or GIF)");
        }
        var image = info.Value;
        string temp;
        try
        {
            System.IO.Directory.CreateDirectory(Directory);
            SweepStaleParts();
            temp = Path.Combine(Directory, $".{Convert.ToHexString(RandomNumberGenerator.GetBytes(8))}.part");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new HermesError(ErrorKind.Storage, $"cannot create {Directory}: {e.Message}");
        }

        var keep = false;
        try
        {
            Either<HermesError, long> written;
            // Unbuffered: every write is a whole chunk, which FileStream's own buffer would only copy once more
            var options = new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                Share = FileShare.None,
                BufferSize = 0,
                Options = FileOptions.Asynchronous,
                PreallocationSize = preallocate,
            };
            await using (var file = new FileStream(temp, options))
            {
                written = await write(file, ct);
                if (written.IsRight)
                {
                    await file.FlushAsync(ct);
                }
            }
            var saved = written.Bind(bytes => MoveIntoPlace(temp, prefix, ImageHeader.extension(image.Format))
                .Map(path => new SavedImage(path, image.Format, OrNull(image.Width), OrNull(image.Height), bytes)));
            keep = saved.IsRight;
            return saved;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new HermesError(ErrorKind.Storage, $"cannot write to {Directory}: {e.Message}");
        }
        finally
        {
            if (!keep)
            {
                File.Delete(temp);
            }
        }
    }

    private static int? OrNull(Microsoft.FSharp.Core.FSharpOption<int> value) => value is null ? null : value.Value;

    /// <summary>Temp files a killed process left behind, once per cache instance.</summary>
    private void SweepStaleParts()
    {
        if (Interlocked.Exchange(ref swept, 1) == 1)
        {
            return;
        }
        var cutoff = clock.GetUtcNow().UtcDateTime - StalePart;
        foreach (var part in System.IO.Directory.EnumerateFiles(Directory, ".*.part"))
        {
            try
            {
                if (File.GetLastWriteTimeUtc(part) < cutoff)
                {
                    File.Delete(part);
                }
            }
            catch (IOException)
            {
                logger.LogDebug("could not remove stale {Part}", part);
            }
        }
    }

    /// <summary>Renames without overwriting; a name taken in the same second by another save gets a new random suffix.</summary>
    private Either<HermesError, string> MoveIntoPlace(string temp, string prefix, string extension)
    {
        for (var attempt = 0; attempt < 8; attempt++)
        {
            var name = ImageFile.fileName(prefix, clock.GetUtcNow().UtcDateTime, RandomNumberGenerator.GetBytes(4), extension);
            var path = Path.Combine(Directory, name);
            try
            {
                File.Move(temp, path, overwrite: false);
                return path;
            }
            catch (IOException) when (File.Exists(path))
            {
            }
        }
        return new HermesError(ErrorKind.Storage, "could not find a free file name in the image cache");
    }
}
