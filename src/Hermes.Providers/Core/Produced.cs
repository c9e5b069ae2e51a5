using Hermes.Domain;

namespace Hermes.Providers.Core;

/// <summary>What a provider's own step produced: the images and its extras; the pipeline makes them files.</summary>
internal sealed record Produced(IReadOnlyList<ProducedImage> Images, IReadOnlyDictionary<string, object> Extras)
{
    /// <summary>The cache file name prefix; "&lt;provider&gt;_&lt;model&gt;" when null.</summary>
    public string? CachePrefix { get; init; }

    /// <summary>The model actually sent when the provider had to use another one (an xAI edit); the resolved model when null.</summary>
    public string? Model { get; init; }

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
        return new Produced(images, all);
    }
}
