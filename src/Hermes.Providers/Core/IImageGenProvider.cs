using Hermes.Domain;

namespace Hermes.Providers.Core;

/// <summary>One image backend. Implementations run on <see cref="ProviderPipeline"/> and never throw for HTTP or provider errors; cancellation throws.</summary>
internal interface IImageGenProvider
{
    string Name { get; }
    string DisplayName { get; }
    ProviderCatalog Catalog { get; }
    SetupSchema SetupSchema { get; }
    Availability IsAvailable();
    Task<ImageGenResult> GenerateAsync(string prompt, AspectRatio aspectRatio, GenerateOptions options, CancellationToken ct);
}
