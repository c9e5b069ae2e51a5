using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Hermes;

/// <summary>Registers Hermes as a Microsoft.Extensions.AI image generator pipeline.</summary>
public static class HermesServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="HermesClient"/> and an <see cref="IImageGenerator"/> over it; the returned builder chains
    /// UseLogging, UseOpenTelemetry or ConfigureOptions.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="options">The keys, base URLs and provider; <c>HermesOptions.FromEnvironment()</c> reads the process environment. None set when null.</param>
    /// <param name="lifetime">The generator's lifetime; the client is a singleton.</param>
    public static ImageGeneratorBuilder AddHermesImageGeneration(
        this IServiceCollection services, HermesOptions? options = null, ServiceLifetime lifetime = ServiceLifetime.Singleton)
    {
        ArgumentNullException.ThrowIfNull(services);
        var settings = options ?? new HermesOptions();
        services.AddSingleton(sp => new HermesClient(settings, sp.GetService<ILoggerFactory>()));
        return services.AddImageGenerator(sp => new HermesImageGenerator(sp.GetRequiredService<HermesClient>()), lifetime);
    }

    /// <summary>
    /// Registers an <see cref="IImageGenerator"/> under the key <paramref name="provider"/> that always uses that provider
    /// ("xai", "openai", "openai-codex", "fal" or "gemini"), with a client of its own; resolve it with GetRequiredKeyedService.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="provider">The provider, also the service key.</param>
    /// <param name="options">The keys and base URLs; its <see cref="HermesOptions.Provider"/> is replaced by <paramref name="provider"/>. None set when null.</param>
    /// <param name="lifetime">The generator's lifetime; the client is a singleton.</param>
    public static ImageGeneratorBuilder AddKeyedHermesImageGenerator(
        this IServiceCollection services, string provider, HermesOptions? options = null, ServiceLifetime lifetime = ServiceLifetime.Singleton)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(provider);
        var settings = (options ?? new HermesOptions()) with { Provider = provider };
        services.AddKeyedSingleton(provider, (sp, _) => new HermesClient(settings, sp.GetService<ILoggerFactory>()));
        return services.AddKeyedImageGenerator(provider, sp => new HermesImageGenerator(sp.GetRequiredKeyedService<HermesClient>(provider)), lifetime);
    }
}
