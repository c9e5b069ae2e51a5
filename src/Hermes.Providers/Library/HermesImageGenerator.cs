using Hermes.Domain;
using Hermes.Providers.Library;
using Microsoft.Extensions.AI;

namespace Hermes;

/// <summary>Thrown by <see cref="HermesImageGenerator"/> when a generation fails; carries the typed error.</summary>
public sealed class HermesGenerationException(HermesError error) : Exception(error.Message)
{
    /// <summary>What failed; switch on its <see cref="HermesError.Kind"/>.</summary>
    public HermesError Error { get; } = error;
}

/// <summary>
/// Microsoft.Extensions.AI's IImageGenerator over Hermes: ImageSize is the exact size where the provider takes one, else the
/// nearest it makes (reported in the extras), MediaType the output format, ModelId the model, Count the number of images;
/// Uri results are local file URIs, Data results bytes.
/// OriginalImages (EditImagesAsync) are the edit's sources: DataContent as bytes, UriContent as an http(s) URL or a file.
/// AdditionalProperties may carry "provider", "aspect_ratio" (a named aspect or W:H), "resolution", "quality", "background",
/// "moderation", "compression", "seed" and "mask" (a path, URL, DataContent or UriContent).
/// </summary>
/// <param name="client">The client every call runs on.</param>
public sealed class HermesImageGenerator(HermesClient client) : IImageGenerator
{
    /// <inheritdoc/>
    public async Task<ImageGenerationResponse> GenerateAsync(ImageGenerationRequest request, ImageGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        var sources = (request.OriginalImages ?? []).Select((content, i) => SourceOf(content, $"original image {i + 1}")).ToList();
        var mask = options?.AdditionalProperties?.TryGetValue("mask", out var given) == true && given is not null ? SourceOf(given, "the mask") : null;
        var hermes = ToHermes(options) with { Sources = sources, Mask = mask };
        var result = await client.GenerateAsync(request.Prompt ?? "", hermes, cancellationToken);
        if (!result.IsSuccess)
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
        string? Extra(string key) => options?.AdditionalProperties?.TryGetValue(key, out var value) == true
            ? Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture)
            : null;
        return new HermesGenerateOptions
        {
            Provider = Extra("provider"),
            Model = options?.ModelId,
            AspectRatio = Extra("aspect_ratio"),
            Size = options?.ImageSize is { } size ? $"{size.Width}x{size.Height}" : null,
            OutputFormat = options?.MediaType is { } mediaType ? FormatOf(mediaType) : null,
            Resolution = Extra("resolution"),
            Quality = Extra("quality"),
            Background = Extra("background"),
            Moderation = Extra("moderation"),
            Compression = Number(Extra("compression"), "compression"),
            Seed = Number(Extra("seed"), "seed"),
            Count = options?.Count ?? 1,
        };
    }

    /// <summary>image/png, image/jpeg or image/webp as the format Hermes names; anything else is refused before any request.</summary>
    private static string FormatOf(string mediaType) =>
        mediaType.Trim().ToLowerInvariant() switch
        {
            "image/png" => "png",
            "image/jpeg" or "image/jpg" => "jpeg",
            "image/webp" => "webp",
            _ => throw new HermesGenerationException(new HermesError(ErrorKind.InvalidArgument,
                $"invalid MediaType '{TerminalText.sanitizeWith(40, mediaType)}': allowed values are image/png, image/jpeg, image/webp")),
        };

    private static int? Number(string? text, string name) =>
        text is null ? null
        : int.TryParse(text, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n
        : throw new HermesGenerationException(new HermesError(ErrorKind.InvalidArgument,
            $"invalid {name} '{TerminalText.sanitizeWith(40, text)}': allowed values are whole numbers"));

    /// <summary>A source as Hermes takes it: bytes become a data:image URL (the magic number decides the type), a URI its URL or file path.</summary>
    private static string SourceOf(object content, string role) => content switch
    {
        DataContent data => $"data:{(data.MediaType.StartsWith("image/", StringComparison.OrdinalIgnoreCase) ? data.MediaType : "image/png")};base64,{Convert.ToBase64String(data.Data.Span)}",
        UriContent { Uri.IsFile: true } file => file.Uri.LocalPath,
        UriContent uri => uri.Uri.OriginalString,
        string text => text,
        _ => throw new HermesGenerationException(new HermesError(ErrorKind.InvalidArgument,
            $"{role} is a {content.GetType().Name}; allowed: DataContent or UriContent")),
    };

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

    /// <inheritdoc/>
    /// <remarks>Answers <see cref="ImageGeneratorMetadata"/> (the provider and model a call without options would use), itself and its <see cref="HermesClient"/>.</remarks>
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

    /// <summary>Nothing to release: the client owns no connection of its own.</summary>
    public void Dispose()
    {
    }
}
