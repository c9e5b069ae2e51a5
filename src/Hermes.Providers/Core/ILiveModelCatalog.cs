using Hermes.Domain;

namespace Hermes.Providers.Core;

/// <summary>
/// A provider whose API lists models its static catalog does not know; <see cref="IImageGenProvider.Catalog"/> is the last known
/// list (no request), this is the fresh one (a request at most every few minutes, the static list on failure).
/// </summary>
internal interface ILiveModelCatalog
{
    Task<IReadOnlyList<ModelInfo>> ListModelsAsync(CancellationToken ct);
}
