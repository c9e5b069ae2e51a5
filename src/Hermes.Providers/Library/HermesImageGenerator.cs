using Hermes.Domain;
using Hermes.Providers.Core;
using Microsoft.Extensions.AI;

namespace Hermes.Providers.Library;

/// <summary>Thrown by <see cref="HermesImageGenerator"/> when a generation fails; carries the typed error.</summary>
public sealed class HermesGenerationException(HermesError error) : Exception(error.Message)
{
    public HermesError Error { get; } = error;
}

/// <summary>
/// Microsoft.Extensions.AI's IImageGenerator over Hermes: ImageSize picks the aspect (wider → landscape, equal → square,
/// taller → portrait), ModelId the model, Count the number of images; Uri results are local file URIs, Data results bytes.
/// AdditionalProperties may carry "provider", "aspect_ratio" and "resolution".
/// </summary>
public sealed class HermesImageGenerator(HermesClient client) : IImageGenerator
{
    public async Task<ImageGenerationResponse> GenerateAsync(ImageGenerationRequest request, ImageGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        if (request.OriginalImages?.Any() == true)
        {
            throw new NotSupportedException("Hermes generates images from text only; image editing is not supported");
        }
        var result = await client.GenerateAsync(request.Prompt ?? "", ToHermes(options), cancellationToken);
        if (!result.Success)
        {
            throw new HermesGenerationException(result.Error!);
        }
        var contents = new List<AIContent>();
        foreach (var image in result.Images)
        {
            contents.Add(await ToContentAsync(image, options?.ResponseFormat, cancellationToken));
        }
        return new ImageGenerationResponse(contents) { RawRepresentation = result, Usage = TokenUsage.Details(TokenUsage.Of(result.Extras)) };
    }

    private static HermesGenerateOptions ToHermes(ImageGenerationOptions? options)
    {
        string? Extra(string key) => options?.AdditionalProperties?.TryGetValue(key, out var value) == true ? value?.ToString() : null;
        var aspect = Extra("aspect_ratio") ?? (options?.ImageSize is { } size
            ? AspectRatioModule.toWire(size.Width > size.Height ? AspectRatio.Landscape : size.Width == size.Height ? AspectRatio.Square : AspectRatio.Portrait)
            : null);
        return new HermesGenerateOptions
        {
            Provider = Extra("provider"),
            Model = options?.ModelId,
            AspectRatio = aspect,
            Resolution = Extra("resolution"),
            Count = options?.Count ?? 1,
        };
    }

    private static async Task<AIContent> ToContentAsync(string image, ImageGenerationResponseFormat? format, CancellationToken ct)
    {
        if (!File.Exists(image))
        {
            return new UriContent(new Uri(image), "image/*");
        }
        var mediaType = ImageFile.mediaTypeOf(Path.GetExtension(image));
        return format == ImageGenerationResponseFormat.Data
            ? new DataContent(await File.ReadAllBytesAsync(image, ct), mediaType) { Name = Path.GetFileName(image) }
            : new UriContent(new Uri(Path.GetFullPath(image)), mediaType);
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is not null ? null
        : serviceType == typeof(ImageGeneratorMetadata) ? Metadata()
        : serviceType.IsInstanceOfType(this) ? this
        : serviceType == typeof(HermesClient) ? client
        : null;

    /// <summary>The provider and model a call without options would use (by the conventions' provider names), and its endpoint.</summary>
    private ImageGeneratorMetadata Metadata()
    {
        var chosen = Dispatch.providerOf(client.Plan().Outcome.Decision)?.Value;
        return new ImageGeneratorMetadata(ProviderEndpoint.SemanticName(chosen?.Item1), ProviderEndpoint.Of(client.Context, chosen?.Item1), chosen?.Item2);
    }

    public void Dispose()
    {
    }
}
