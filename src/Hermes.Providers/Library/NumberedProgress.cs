using Hermes.Providers.Core;

namespace Hermes.Providers.Library;

/// <summary>
/// Stamps every report of one request with the numbers of its images (first .. first + images - 1), so a caller can show one
/// line per image of a --count N call even when one request makes several.
/// </summary>
internal sealed class NumberedProgress(IProgress<GenerationProgress> inner, int first, int images = 1) : IProgress<GenerationProgress>
{
    public void Report(GenerationProgress value)
    {
        for (var image = first; image < first + images; image++)
        {
            inner.Report(value with { Image = image });
        }
    }
}
