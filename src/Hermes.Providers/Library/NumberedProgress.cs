using Hermes.Providers.Core;

namespace Hermes.Providers.Library;

/// <summary>Stamps every report of one image with its number, so a caller can show one line per image of a --count N call.</summary>
internal sealed class NumberedProgress(IProgress<GenerationProgress> inner, int image) : IProgress<GenerationProgress>
{
    public void Report(GenerationProgress value) => inner.Report(value with { Image = image });
}
