using Hermes.Domain;

namespace Hermes.Providers.Core;

/// <summary>A registered provider with its availability, as `hermes providers` lists it.</summary>
internal sealed record ProviderStatus(string Key, IImageGenProvider Provider, Availability Availability);
