using Hermes.Providers.Core;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Hermes.Providers.Library;

/// <summary>Registers Hermes as a Microsoft.Extensions.AI image generator pipeline.</summary>
public static class HermesServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="HermesClient"/> and an <see cref="IImageGenerator"/> over it; the returned builder chains
    /// UseLogging, UseOpenTelemetry or ConfigureOptions.
    /// </summary>
    public static ImageGeneratorBuilder AddHermesImageGeneration(
        this IServiceCollection services, Action<HermesClientOptions>? configure = null, ServiceLifetime lifetime = ServiceLifetime.Singleton)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = Configured(configure);
        services.AddSingleton(sp => CreateClient(options, sp));
        return services.AddImageGenerator(sp => new HermesImageGenerator(sp.GetRequiredService<HermesClient>()), lifetime);
    }

    /// <summary>
    /// Registers an <see cref="IImageGenerator"/> under the key <paramref name="provider"/> that always uses that provider
    /// ("xai", "openai", "openai-codex", "fal" or "gemini"), with a client of its own; resolve it with GetRequiredKeyedService.
    /// </summary>
    public static ImageGeneratorBuilder AddKeyedHermesImageGenerator(
        this IServiceCollection services, string provider, Action<HermesClientOptions>? configure = null, ServiceLifetime lifetime = ServiceLifetime.Singleton)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(provider);
        var options = Configured(configure);
        options.Provider = provider;
        services.AddKeyedSingleton(provider, (sp, _) => CreateClient(options, sp));
        return services.AddKeyedImageGenerator(provider, sp => new HermesImageGenerator(sp.GetRequiredKeyedService<HermesClient>(provider)), lifetime);
    }

    private static HermesClientOptions Configured(Action<HermesClientOptions>? configure)
    {
        var options = new HermesClientOptions();
        configure?.Invoke(options);
        return options;
    }

    private static HermesClient CreateClient(HermesClientOptions options, IServiceProvider services)
    {
        var environment = HermesEnvironment.FromProcess();
        foreach (var (name, value) in options.Environment)
        {
            environment = environment.With(name, value);
        }
        if (options.HermesHome is { } home)
        {
            environment = environment.With("HERMES_HOME", home);
        }
        return HermesContext.FromEnvironment(environment, services.GetService<ILoggerFactory>()).Match(
            Right: context => new HermesClient(context) { Provider = options.Provider, EnableSensitiveData = options.EnableSensitiveData },
            Left: error => throw new HermesGenerationException(error));
    }
}
