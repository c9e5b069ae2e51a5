using System.Text.Json.Nodes;
using Hermes.Domain;
using Hermes.Providers.Core;
using Microsoft.FSharp.Core;

namespace Hermes.Providers.Xai;

/// <summary>
/// An xAI edit: POST {base}/images/edits with JSON (one source as `image`, two or three as `images`; local files as data
/// URLs, http(s) URLs passed through), no aspect_ratio or resolution; sent with the chosen model only when the live catalog
/// says it takes image input, else with grok-imagine-image-quality.
/// </summary>
internal sealed record XaiEdit(string Model, string RequestedModel, JsonObject Body)
{
    public const string Path = "/images/edits";

    /// <param name="call">The validated edit call.</param>
    /// <param name="acceptsImageInput">What the live catalog says of the chosen model's input_modalities; null when unknown.</param>
    public static XaiEdit For(ImageCall call, bool? acceptsImageInput)
    {
        var model = EditCapability.xaiEditModel(call.Model, acceptsImageInput is { } known ? FSharpOption<bool>.Some(known) : FSharpOption<bool>.None);
        var urls = Microsoft.FSharp.Collections.ListModule.OfSeq(call.Sources.Select(source => source.UrlForProvider));
        return new XaiEdit(model, call.Model, EditRequests.xai(model, call.Prompt, call.Controls, urls));
    }

    /// <summary>The answer's images, preferring a public URL as generation does, with the model actually sent.</summary>
    public Produced Produce(ImagesAnswer answer) =>
        Produced.FromAnswer(answer, new Dictionary<string, object> { ["requested_model"] = RequestedModel }, preferPublicUrl: true) with
        {
            Model = Model,
            CachePrefix = $"xai_{Model}",
        };
}
