using System.Text;
using Hermes.Domain;
using Hermes.Providers.Core;
using Hermes.Providers.Http;
using Hermes.Providers.Storage;
using LanguageExt;
using Microsoft.Extensions.Logging;
using Microsoft.FSharp.Core;

namespace Hermes.Providers.Xai;

/// <summary>
/// xAI's image models: the static list merged with the live `GET {base}/image-generation-models`, kept 300 s in this
/// instance and in $HERMES_HOME/cache/xai-models.json for the next CLI run (fresh by file time); the static list on any failure.
/// </summary>
internal sealed class XaiModelCatalog
{
    public static readonly TimeSpan FreshFor = TimeSpan.FromSeconds(300);

    /// <summary>The live list is an extra: it may not hold a generation up for long.</summary>
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    private const long MaxBodyBytes = 1_048_576;
    private readonly HermesContext ctx;
    private readonly Func<CancellationToken, Task<Option<HttpCall>>> request;
    private readonly ILogger logger;
    private readonly SemaphoreSlim fetching = new(1, 1);
    private volatile Snapshot? known;
    private volatile bool fileRead;

    /// <param name="ctx">The context whose cache folder keeps the last answer.</param>
    /// <param name="request">The authorized GET of the live list, or None without credentials.</param>
    public XaiModelCatalog(HermesContext ctx, Func<CancellationToken, Task<Option<HttpCall>>> request)
    {
        this.ctx = ctx;
        this.request = request;
        logger = ctx.Logging.CreateLogger<XaiModelCatalog>();
    }

    public static string CachePath(string hermesHome) => Path.Combine(hermesHome, "cache", "xai-models.json");

    /// <summary>The last known list (this instance's, else the cache file's, at any age) without any request: what `--model` is checked against.</summary>
    public ProviderCatalog Known => CatalogOf(Current());

    /// <summary>The merged catalog, fetching the live list first when neither this instance nor the cache file has one from the last 300 s.</summary>
    public async Task<ProviderCatalog> FreshAsync(CancellationToken ct) => CatalogOf(await FreshSnapshotAsync(ct));

    /// <summary>Whether the live list says the model takes image input; None when the model or its modalities are not listed.</summary>
    public async Task<FSharpOption<bool>> AcceptsImageInputAsync(string model, CancellationToken ct) =>
        XaiModels.acceptsImageInput((await FreshSnapshotAsync(ct))?.Body ?? "", model);

    private static ProviderCatalog CatalogOf(Snapshot? snapshot) =>
        Catalog.xaiWith(XaiModels.parseLive(snapshot?.Body ?? ""));

    private bool IsFresh(Snapshot? snapshot) => snapshot is not null && ctx.Clock.GetUtcNow() - snapshot.Taken < FreshFor;

    private Snapshot? Current()
    {
        if (known is null && !fileRead)
        {
            known ??= ReadFile();
            fileRead = true;
        }
        return known;
    }

    private async Task<Snapshot?> FreshSnapshotAsync(CancellationToken ct)
    {
        if (IsFresh(Current()))
        {
            return known;
        }
        await fetching.WaitAsync(ct);
        try
        {
            // Another caller may have fetched while this one waited: one request serves them all.
            if (IsFresh(known))
            {
                return known;
            }
            known = await FetchAsync(ct);
            return known;
        }
        finally
        {
            fetching.Release();
        }
    }

    /// <summary>The live list; a failure is remembered for 300 s as an empty list so a broken endpoint is not asked on every call.</summary>
    private async Task<Snapshot?> FetchAsync(CancellationToken ct)
    {
        var call = await request(ct);
        if (call.IsNone)
        {
            return known;
        }
        var get = call.IfNoneUnsafe((HttpCall?)null)!;
        var answer = await ctx.Transport.SendAsync(get with { Deadline = Deadline, BodyLimit = MaxBodyBytes }, ct);
        var now = ctx.Clock.GetUtcNow();
        var body = answer.MatchUnsafe(Right: ok => ok.IsSuccess ? Encoding.UTF8.GetString(ok.Body.Bytes) : null, Left: _ => null);
        if (body is null || XaiModels.parseLive(body).IsEmpty)
        {
            logger.LogDebug("the live xAI model list is unavailable; using the static list");
            return new Snapshot("", now);
        }
        WriteFile(body);
        return new Snapshot(body, now);
    }

    private Snapshot? ReadFile()
    {
        var path = CachePath(ctx.Home);
        try
        {
            var file = new FileInfo(path);
            return file.Exists && file.Length <= MaxBodyBytes
                ? new Snapshot(File.ReadAllText(path), new DateTimeOffset(file.LastWriteTimeUtc, TimeSpan.Zero))
                : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>A cache that cannot be written only costs the next run a request.</summary>
    private void WriteFile(string body)
    {
        try
        {
            AtomicFile.Write(CachePath(ctx.Home), Encoding.UTF8.GetBytes(body), mode: null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            logger.LogDebug("cannot write the xAI model cache: {Reason}", e.Message);
        }
    }

    /// <summary>A live list body ("" for a failed fetch) and when it was taken.</summary>
    private sealed record Snapshot(string Body, DateTimeOffset Taken);
}
