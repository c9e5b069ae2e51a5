using Hermes.Domain;
using LanguageExt;
using Microsoft.Extensions.Logging;
using Microsoft.FSharp.Collections;
using Microsoft.FSharp.Core;

namespace Hermes.Providers.Core;

/// <summary>A provider's model for a call: the caller's (checked against the catalog) or the config/env/default rule of the domain.</summary>
internal static class ModelChoice
{
    public static Either<HermesError, string> Resolve(HermesContext ctx, ProviderCatalog catalog, string? requested, ILogger logger)
    {
        var pairs = new List<Tuple<string, string>>();
        if (catalog.ModelEnvVar is { } envVar)
        {
            ctx.Environment.Get(envVar.Value).IfSome(value => pairs.Add(System.Tuple.Create(envVar.Value, value)));
        }
        var env = MapModule.OfSeq(pairs);
        var resolved = ModelPrecedence.resolve(catalog, ctx.Config.ImageGen,
            Fs.Opt(requested), env);
        if (resolved.IsError)
        {
            return HermesError.Of(DispatchError.NewUnknownModel(catalog.Provider, resolved.ErrorValue));
        }
        var (model, warnings) = resolved.ResultValue;
        foreach (var warning in warnings)
        {
            logger.LogWarning("{Warning}", warning.Message);
        }
        return model;
    }
}
