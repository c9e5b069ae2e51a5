using Hermes.Domain;
using Hermes.Providers.Core;
using Microsoft.Extensions.Logging;

namespace Hermes.Providers.Xai;

/// <summary>An xAI images answer as Hermes reports it: the durable public URL first, and the answer's provenance in the extras.</summary>
internal static class XaiAnswer
{
    /// <summary>The images with <paramref name="extras"/> plus requested_model, response_model, model_mismatch (+ warning), output_branch and public_url.</summary>
    public static Produced Produce(string requestedModel, ImagesAnswer answer, IReadOnlyDictionary<string, object> extras, ILogger logger)
    {
        var provenance = XaiProvenanceModule.ofAnswer(requestedModel, answer);
        var all = new Dictionary<string, object>(extras)
        {
            ["requested_model"] = provenance.RequestedModel,
            ["model_mismatch"] = provenance.ModelMismatch,
        };
        if (provenance.ResponseModel is { } responseModel)
        {
            all["response_model"] = responseModel.Value;
        }
        if (provenance.Warning is { } warning)
        {
            all["warning"] = warning.Value;
            logger.LogWarning("{Warning}", warning.Value);
        }
        if (provenance.OutputBranch is { } branch)
        {
            all["output_branch"] = branch.Value;
        }
        if (provenance.PublicUrl is { } publicUrl)
        {
            all["public_url"] = publicUrl.Value;
        }
        return Produced.FromAnswer(answer, all, preferPublicUrl: true);
    }
}
