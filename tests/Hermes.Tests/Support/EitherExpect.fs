/// Reading LanguageExt results in tests as specs: the value that must be there, or the test fails saying what was there instead.
module Hermes.Tests.Support.EitherExpect

open System
open LanguageExt

let rightOf (result: Either<'L, 'R>) : 'R =
    result.Match(Func<'R, 'R>(fun r -> r), Func<'L, 'R>(fun l -> failwithf "expected a value, got the error %A" l))

let leftOf (result: Either<'L, 'R>) : 'L =
    result.Match(Func<'R, 'L>(fun r -> failwithf "expected an error, got %A" r), Func<'L, 'L>(fun l -> l))

let someOf (option: Option<'T>) : 'T =
    option.Match(Func<'T, 'T>(fun v -> v), Func<'T>(fun () -> failwith "expected a value, got none"))
