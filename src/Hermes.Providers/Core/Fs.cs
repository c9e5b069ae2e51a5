using Microsoft.FSharp.Core;

namespace Hermes.Providers.Core;

/// <summary>F# option values from nullable C# ones.</summary>
internal static class Fs
{
    public static FSharpOption<string> Opt(string? value) =>
        string.IsNullOrWhiteSpace(value) ? FSharpOption<string>.None : FSharpOption<string>.Some(value);

    public static FSharpOption<int> Opt(int? value) =>
        value is { } given ? FSharpOption<int>.Some(given) : FSharpOption<int>.None;
}
