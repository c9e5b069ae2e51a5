using Hermes.Providers.Core;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Hermes.Providers.Library;

/// <summary>How a host application sets Hermes up; unset values come from the process environment.</summary>
public sealed class HermesClientOptions
{
    /// <summary>Overrides $HERMES_HOME.</summary>
    public string? HermesHome { get; set; }

    /// <summary>Variables that override the process environment (API keys, base URLs).</summary>
    public IDictionary<string, string> Environment { get; } = new Dictionary<string, string>(StringComparer.Ordinal);
}

public static class HermesServiceCollectionExtensions
{
    /// <summary>Registers <see cref="HermesClient"/> and an <see cref="IImageGenerator"/> over it.</summary>
    public static IServiceCollection AddHermesImageGeneration(this IServiceCollection services, Action<HermesClientOptions>? configure = null)
    {
        var options = new HermesClientOptions();
        configure?.Invoke(options);
        services.AddSingleton(provider =>
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
            var context = HermesContext.FromEnvironment(environment, provider.GetService<ILoggerFactory>());
            return context.Match(
                Right: c => new HermesClient(c),
                Left: error => throw new HermesGenerationException(error));
        });
        services.AddSingleton<IImageGenerator>(provider => new HermesImageGenerator(provider.GetRequiredService<HermesClient>()));
        return services;
    }
}
