using LanguageExt;
using Microsoft.FSharp.Core;
using static LanguageExt.Prelude;

namespace Hermes.Providers.Auth;

/// <summary>The domain's F# results as LanguageExt values, so they compose in the same LINQ as the rest.</summary>
internal static class FSharpResults
{
    public static Either<TError, T> ToEither<T, TError>(this FSharpResult<T, TError> result) =>
        result.IsOk ? Right<TError, T>(result.ResultValue) : Left<TError, T>(result.ErrorValue);
}
