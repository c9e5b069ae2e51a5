using Hermes.Domain;

namespace Hermes.Providers.Core;

/// <summary>A validated call as a provider's own step receives it: trimmed prompt, resolved model.</summary>
public sealed record ImageCall(string Prompt, AspectRatio Aspect, string Model, GenerateOptions Options);
