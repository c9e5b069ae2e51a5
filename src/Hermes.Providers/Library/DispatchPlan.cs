using Hermes.Domain;
using Hermes.Providers.Core;
using LanguageExt;
using Microsoft.FSharp.Collections;

namespace Hermes.Providers.Library;

/// <summary>The dispatch decision for a call, with the provider statuses it was made from (the same ones `hermes providers` lists).</summary>
internal sealed record DispatchPlan(DispatchOutcome Outcome, IReadOnlyList<ProviderStatus> Statuses, DispatchFacts Facts)
{
    public Either<HermesError, (IImageGenProvider Provider, string Model)> Runnable(ProviderRegistry registry)
    {
        var ready = Dispatch.readiness(Facts, Outcome.Decision);
        if (ready.IsError)
        {
            return HermesError.Of(ready.ErrorValue);
        }
        var (name, model) = Dispatch.providerOf(Outcome.Decision).Value;
        return registry.Find(name) is { } provider
            ? (provider, model)
            : HermesError.Of(DispatchError.NewProviderNotRegistered(name, ListModule.OfSeq(registry.All.Select(p => p.Name))));
    }
}
