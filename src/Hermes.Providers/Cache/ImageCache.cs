using System.Buffers;
using System.Diagnostics;
using System.Security.Cryptography;
using Flurl.Http;
using Hermes.Domain;
using Hermes.Providers.Core;
using LanguageExt;
using Microsoft.Extensions.Logging;
using Microsoft.FSharp.Core;
using static LanguageExt.Prelude;
using Unit = LanguageExt.Unit;

namespace Hermes.Providers.Cache;

/// <summary>
/// Puts every image under $HERMES_HOME/cache/images/: base64 decoded, URLs streamed to a temp file and renamed into place,
/// so a reader never sees a partial image and a failure never leaves one behind.
/// </summary>
public sealed class ImageCache(string directory, IFlurlClient http, TimeProvider clock, ILogger logger)
{
    public const long DefaultMaxBytes = 25L * 1024 * 1024;
    private const int BufferSize = 128 * 1024;

    public static string DirectoryIn(string hermesHome) => Path.Combine(hermesHome, "cache", "images");

    public string Directory { get; } = directory;

    /// <summary>Longest wait for response headers.</summary>
    public TimeSpan HeadersTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Longest gap between two reads of the body.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Longest whole download.</summary>
    public TimeSpan TotalTimeout { get; init; } = TimeSpan.FromMinutes(5);

    public async Task<Either<CacheError, string>> SaveBase64Async(string base64, string prefix, CancellationToken ct)
    {
        var decoded = ImageFile.decodeBase64(base64);
        if (decoded.IsError)
        {
            return new CacheError(CacheFailure.InvalidBase64, decoded.ErrorValue.Message);
        }
        var image = decoded.ResultValue;
        return await WriteNewAsync(prefix, image.Extension, async (stream, token) =>
        {
            await stream.WriteAsync(image.Bytes, token);
            return Right<CacheError, Unit>(unit);
        }, ct);
    }

    public async Task<Either<CacheError, string>> SaveUrlAsync(string url, string prefix, CancellationToken ct, long maxBytes = DefaultMaxBytes)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            return new CacheError(CacheFailure.InvalidUrl, $"invalid image URL '{Redact.Url(url ?? "")}': allowed are absolute http(s) URLs");
        }

        using var timer = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timer.CancelAfter(HeadersTimeout);
        IFlurlResponse response;
        try
        {
            response = await http.Request(uri).AllowAnyHttpStatus()
                .SendAsync(HttpMethod.Get, null, HttpCompletionOption.ResponseHeadersRead, timer.Token);
        }
        catch (Exception e) when (Failed(e, HeadersTimeout, ct) is { } failure)
        {
            return failure with { Message = $"downloading {Redact.Url(url)}: {failure.Message}" };
        }
        catch (Exception e) when (ct.IsCancellationRequested && e is not OperationCanceledException)
        {
            throw new OperationCanceledException("the caller cancelled", e, ct);
        }

        using (response)
        {
            if (response.StatusCode >= 400)
            {
                return new CacheError(CacheFailure.HttpStatus, $"downloading {Redact.Url(url)} returned HTTP {response.StatusCode}", response.StatusCode);
            }
            var content = response.ResponseMessage.Content;
            if (content.Headers.ContentLength is { } announced && announced > maxBytes)
            {
                return TooLarge(maxBytes, $"announces {announced} bytes");
            }
            var extension = ImageFile.extensionFor(
                Fs.Opt(content.Headers.ContentType?.ToString()),
                uri.AbsolutePath);
            return await WriteNewAsync(prefix, extension, (file, token) => CopyBodyAsync(content, file, maxBytes, timer, token), ct);
        }
    }

    /// <summary>For providers: the cached path, or the bare URL after one warning when the download fails, so the call still succeeds.</summary>
    public async Task<string> CacheOrFallbackAsync(string url, string prefix, CancellationToken ct)
    {
        var saved = await SaveUrlAsync(url, prefix, ct);
        return saved.Match(
            Right: path => path,
            Left: error =>
            {
                logger.LogWarning("could not cache image from {Source}: {Reason}; returning the URL instead", Redact.Url(url), error.Message);
                return url;
            });
    }

    private async Task<Either<CacheError, Unit>> CopyBodyAsync(HttpContent content, Stream file, long maxBytes, CancellationTokenSource timer, CancellationToken ct)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        var clockStarted = Stopwatch.StartNew();
        long total = 0;
        try
        {
            timer.CancelAfter(IdleTimeout);
            await using var body = await content.ReadAsStreamAsync(timer.Token);
            while (true)
            {
                timer.CancelAfter(IdleTimeout);
                int read;
                try
                {
                    read = await body.ReadAsync(buffer.AsMemory(0, BufferSize), timer.Token);
                }
                catch (Exception e) when (Failed(e, IdleTimeout, ct) is { } failure)
                {
                    return failure with { Message = $"{failure.Message} after {total} bytes" };
                }
                catch (Exception e) when (ct.IsCancellationRequested && e is not OperationCanceledException)
                {
                    throw new OperationCanceledException("the caller cancelled", e, ct);
                }
                if (read == 0)
                {
                    break;
                }
                total += read;
                if (total > maxBytes)
                {
                    return TooLarge(maxBytes, $"sent more than {maxBytes} bytes");
                }
                if (clockStarted.Elapsed > TotalTimeout)
                {
                    return new CacheError(CacheFailure.Timeout, $"download took longer than {TotalTimeout.TotalSeconds:0} s");
                }
                await file.WriteAsync(buffer.AsMemory(0, read), ct);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        return total == 0 ? new CacheError(CacheFailure.EmptyBody, "the image URL returned an empty body") : unit;
    }

    private static CacheError TooLarge(long maxBytes, string detail) =>
        new(CacheFailure.TooLarge, $"image exceeds the {maxBytes / (1024.0 * 1024.0):0.#} MiB cap ({maxBytes} bytes): the server {detail}");

    /// <summary>The providers' classification of network failures and timeouts, as cache errors.</summary>
    private static CacheError? Failed(Exception e, TimeSpan timeout, CancellationToken ct) =>
        ProviderHttp.Failure(e, "the image server", timeout, ct) is { } error
            ? new CacheError(error.Kind.IsTimeout ? CacheFailure.Timeout : CacheFailure.Network, error.Message)
            : null;

    private async Task<Either<CacheError, string>> WriteNewAsync(
        string prefix, string extension, Func<Stream, CancellationToken, Task<Either<CacheError, Unit>>> write, CancellationToken ct)
    {
        string temp;
        try
        {
            System.IO.Directory.CreateDirectory(Directory);
            temp = Path.Combine(Directory, $".{Convert.ToHexString(RandomNumberGenerator.GetBytes(8))}.part");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new CacheError(CacheFailure.Storage, $"cannot create {Directory}: {e.Message}");
        }

        var keep = false;
        try
        {
            Either<CacheError, Unit> written;
            await using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, BufferSize, FileOptions.Asynchronous))
            {
                written = await write(file, ct);
                if (written.IsRight)
                {
                    await file.FlushAsync(ct);
                }
            }
            if (written.IsLeft)
            {
                return written.Map(_ => "");
            }
            var path = MoveIntoPlace(temp, prefix, extension);
            keep = path.IsRight;
            return path;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new CacheError(CacheFailure.Storage, $"cannot write to {Directory}: {e.Message}");
        }
        finally
        {
            if (!keep)
            {
                File.Delete(temp);
            }
        }
    }

    /// <summary>Renames without overwriting; a name taken in the same second by another save gets a new random suffix.</summary>
    private Either<CacheError, string> MoveIntoPlace(string temp, string prefix, string extension)
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
        return new CacheError(CacheFailure.Storage, "could not find a free file name in the image cache");
    }
}
