using Hermes.Domain;
using Microsoft.FSharp.Collections;

namespace Hermes.Providers.Core;

/// <summary>Providers by path-derived key ("image_gen/xai") and by name; re-registering a name replaces it.</summary>
internal sealed class ProviderRegistry
{
    private readonly List<IImageGenProvider> providers = [];

    public static string KeyOf(string name) => "image_gen/" + name;

    public ProviderRegistry Register(IImageGenProvider provider)
    {
        if (string.IsNullOrWhiteSpace(provider.Name))
        {
            throw new ArgumentException("a provider needs a non-empty name", nameof(provider));
        }
        var existing = providers.FindIndex(p => p.Name == provider.Name);
        if (existing >= 0)
        {
            providers[existing] = provider;
        }
        else
        {
            providers.Add(provider);
        }
        return this;
    }

    public IReadOnlyList<IImageGenProvider> All => providers;

    /// <summary>By name ("xai") or key ("image_gen/xai"), exact after trimming.</summary>
    public IImageGenProvider? Find(string nameOrKey)
    {
        var wanted = nameOrKey.Trim();
        return providers.Find(p => p.Name == wanted || KeyOf(p.Name) == wanted);
    }

    public IReadOnlyList<ProviderStatus> Statuses() =>
        providers.Select(p => new ProviderStatus(KeyOf(p.Name), p, p.IsAvailable())).ToList();

    /// <summary>The dispatch table's view of the registry: one source of truth for `providers` and `generate`.</summary>
    public FSharpList<Candidate> Candidates(IReadOnlyList<ProviderStatus> statuses) =>
        ListModule.OfSeq(statuses.Select(s => new Candidate(s.Provider.Catalog, s.Availability)));
}
