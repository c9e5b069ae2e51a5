/// Assertions that read as specs: `expectOk` gives the value, `expectError` the error, and anything else fails the test.
[<AutoOpen>]
module Hermes.Tests.Support.Expect

open System
open Hermes.Domain
open Hermes
open Hermes.Providers.Core
open Hermes.Providers.Library
open LanguageExt
open Xunit

/// The result shapes tests meet: F# Result, LanguageExt Either, a provider's ImageGenResult and the library's HermesResult.
[<AbstractClass; Sealed>]
type ExpectShapes =
    static member Ok(result: Result<'T, 'E>) : 'T =
        match result with
        | Ok value -> value
        | Error error -> failwithf "expected Ok, got Error %A" error

    static member Ok(result: Either<'L, 'R>) : 'R =
        result.Match(Func<'R, 'R>(id), Func<'L, 'R>(fun left -> failwithf "expected Right, got Left %A" left))

    static member Ok(result: ImageGenResult) : ImageGenResult.Success =
        match result with
        | :? ImageGenResult.Success as success -> success
        | :? ImageGenResult.Failure as failure -> failwithf "expected an image, got %s: %s" failure.ErrorType failure.Error.Message
        | other -> failwithf "unknown result %A" other

    static member Ok(result: HermesResult) : HermesResult =
        if result.IsSuccess then
            result
        else
            failwithf "expected success, got %s: %s" result.Error.ErrorType result.Error.Message

    static member Error(result: Result<'T, 'E>) : 'E =
        match result with
        | Error error -> error
        | Ok value -> failwithf "expected Error, got Ok %A" value

    static member Error(result: Either<'L, 'R>) : 'L =
        result.Match(Func<'R, 'L>(fun right -> failwithf "expected Left, got Right %A" right), Func<'L, 'L>(id))

    static member Error(result: ImageGenResult) : HermesError =
        match result with
        | :? ImageGenResult.Failure as failure -> failure.Error
        | :? ImageGenResult.Success as success -> failwithf "expected an error, got image %s" success.Image
        | other -> failwithf "unknown result %A" other

    static member Error(result: HermesResult) : HermesError =
        if result.IsSuccess then
            failwithf "expected an error, got images %A" (List.ofSeq result.Images)
        else
            result.Error

let inline private okOf (_: ^Shapes) (result: ^R) =
    ((^Shapes or ^R): (static member Ok: ^R -> ^V) result)

let inline private errorOf (_: ^Shapes) (result: ^R) =
    ((^Shapes or ^R): (static member Error: ^R -> ^E) result)

/// The value of a successful result; fails the test with the error otherwise.
let inline expectOk result =
    okOf Unchecked.defaultof<ExpectShapes> result

/// The error of a failed result; fails the test with the value otherwise.
let inline expectError result =
    errorOf Unchecked.defaultof<ExpectShapes> result

/// The HermesError of a failed result, which must be of this kind.
let inline expectErrorKind (kind: ErrorKind) result : HermesError =
    let error: HermesError = expectError result
    Assert.Equal(ErrorKind.toWire kind, error.ErrorType)
    error

/// The fix an unavailable provider names; fails the test when it is ready.
let expectMissing (availability: Availability) =
    match availability with
    | Availability.Missing fix -> fix
    | Availability.Ready -> failwith "expected the provider to be unavailable, it is ready"
