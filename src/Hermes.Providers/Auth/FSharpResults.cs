using LanguageExt;
using Microsoft.FSharp.Core;
using static LanguageExt.Prelude;

namespace Hermes.Providers.Auth;

/// <summary>The domain's F# results as LanguageExt values, so they compose in the same LINQ as the rest.</summary>
internal static class FSharpResults
{
    public static Either<TError, T> ToEither<T, TError>(this FSharpResult<T, TError> result) =>
        result.IsOk ? Right<TError, T>(result.ResultValue) : Left<TError, T>(result.ErrorValue);

    /// <summary>F#'s unit is null at run time, which LanguageExt refuses as a Right value.</summary>
    public static Either<TError, LanguageExt.Unit> ToEither<TError>(this FSharpResult<Microsoft.FSharp.Core.Unit, TError> result) =>
        result.IsOk ? Right<TError, LanguageExt.Unit>(unit) : Left<TError, LanguageExt.Unit>(result.ErrorValue);
}
