using Hermes.Domain;

namespace Hermes.Providers.Core;

/// <summary>What a provider's own step produced: the images and its extras; the pipeline makes them files.</summary>
internal sealed record Produced(IReadOnlyList<ProducedImage> Images, IReadOnlyDictionary<string, object> Extras)
{
    /// <summary>The cache file name prefix; "&lt;provider&gt;_&lt;model&gt;" when null.</summary>
    public string? CachePrefix { get; init; }

    /// <summary>The model actually sent when the provider had to use another one (an xAI edit); the resolved model when null.</summary>
    public string? Model { get; init; }

    /// <summary>Each image's own extras (its revised prompt), by the image's index; over <see cref="Extras"/> in that image's sidecar.</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, object>> PerImage { get; init; } = [];

    /// <summary>The extras of image <paramref name="index"/>: the shared ones with its own on top.</summary>
    public IReadOnlyDictionary<string, object> ExtrasOf(int index)
    {
        if (index >= PerImage.Count || PerImage[index].Count == 0)
        {
            return Extras;
        }
        var all = new Dictionary<string, object>(Extras);
        foreach (var (key, value) in PerImage[index])
        {
            all[key] = value;
        }
        return all;
    }

    /// <summary>The images of an images answer (xAI, OpenAI and compatible endpoints), with revised prompt and usage in the extras.</summary>
    public static Produced FromAnswer(ImagesAnswer answer, IReadOnlyDictionary<string, object> extras, bool preferPublicUrl)
    {
        var images = answer.Images.Select<AnswerImage, ProducedImage>(image =>
            preferPublicUrl && image.PublicUrl is { } publicUrl ? new ProducedImage.Link(publicUrl.Value)
            : image.Base64 is { } base64 ? new ProducedImage.Encoded(base64.Value)
            : image.Url is { } url ? new ProducedImage.Link(url.Value)
            : new ProducedImage.Link(image.PublicUrl.Value)).ToList();
        var all = new Dictionary<string, object>(extras);
        if (answer.Images.Head.RevisedPrompt is { } revised)
        {
            all["revised_prompt"] = revised.Value;
        }
        if (!answer.Usage.IsEmpty)
        {
            all["usage"] = answer.Usage.ToDictionary(kv => kv.Key, kv => kv.Value);
        }
        // several images may each have their own revised prompt
        var perImage = answer.Images.Select(image => image.RevisedPrompt is { } own
            ? new Dictionary<string, object> { ["revised_prompt"] = own.Value }
            : new Dictionary<string, object>()).ToList<IReadOnlyDictionary<string, object>>();
        return new Produced(images, all) { PerImage = images.Count > 1 ? perImage : [] };
    }
}
