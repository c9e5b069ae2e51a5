module Hermes.Tests.Library.PublicSurfaceTests

open System
open System.Reflection
open Xunit
open Hermes

/// Namespaces an app must never meet in Hermes's signatures: they are implementation choices.
let forbidden = [ "LanguageExt"; "Microsoft.FSharp"; "Flurl" ]

let assemblies =
    [ typeof<HermesClient>.Assembly; typeof<HermesServiceCollectionExtensions>.Assembly ]

/// A type and every type it is made of: generic arguments, array elements, by-ref and pointer targets.
let rec parts (t: Type) : Type seq =
    seq {
        if t.HasElementType then
            yield! parts (t.GetElementType())
        else
            yield t

        if t.IsGenericType then
            for a in t.GetGenericArguments() do
                yield! parts a
    }

let visible =
    BindingFlags.Public ||| BindingFlags.Instance ||| BindingFlags.Static ||| BindingFlags.DeclaredOnly

/// What a public type shows: base type, interfaces and the types of every public or protected member.
let signatureTypes (t: Type) : (string * Type) seq =
    let shown (m: MethodBase) = m.IsPublic || m.IsFamily || m.IsFamilyOrAssembly
    let flags = visible ||| BindingFlags.NonPublic

    seq {
        if not (isNull t.BaseType) then
            yield "base type", t.BaseType

        for i in t.GetInterfaces() do
            yield "interface", i

        for c in t.GetConstructors(flags) |> Seq.filter shown do
            for p in c.GetParameters() do
                yield sprintf "constructor parameter %s" p.Name, p.ParameterType

        for m in t.GetMethods(flags) |> Seq.filter shown do
            yield sprintf "%s returns" m.Name, m.ReturnType

            for p in m.GetParameters() do
                yield sprintf "%s parameter %s" m.Name p.Name, p.ParameterType

            for g in (if m.IsGenericMethodDefinition then m.GetGenericArguments() else [||]) do
                for c in g.GetGenericParameterConstraints() do
                    yield sprintf "%s constraint" m.Name, c

        for p in t.GetProperties(flags) do
            if [ p.GetMethod; p.SetMethod ] |> List.exists (fun a -> not (isNull a) && shown a) then
                yield sprintf "property %s" p.Name, p.PropertyType

        for f in t.GetFields(flags) |> Seq.filter (fun f -> f.IsPublic || f.IsFamily || f.IsFamilyOrAssembly) do
            yield sprintf "field %s" f.Name, f.FieldType

        for e in t.GetEvents(flags) do
            yield sprintf "event %s" e.Name, e.EventHandlerType
    }

/// Every type a public signature shows, with where it shows it.
let shown () =
    [
        for assembly in assemblies do
            for t in assembly.GetExportedTypes() do
                for where, shownType in signatureTypes t do
                    for part in parts shownType do
                        yield sprintf "%s: %s is %s" t.FullName where part.FullName, part
    ]

let namespaceOf (t: Type) = if isNull t.Namespace then "" else t.Namespace

let leaks () =
    [
        for where, part in shown () do
            let ns = namespaceOf part

            if forbidden |> List.exists (fun f -> ns = f || ns.StartsWith(f + ".")) then
                yield where
    ]

[<Fact>]
let ``no public signature of Hermes.Providers or the DI package mentions LanguageExt, FSharp or Flurl`` () =
    Assert.Equal<string list>([], leaks ())

[<Fact>]
let ``every public type is in namespace Hermes`` () =
    let outside =
        [
            for assembly in assemblies do
                for t in assembly.GetExportedTypes() do
                    if t.Namespace <> "Hermes" then
                        yield t.FullName
        ]

    Assert.Equal<string list>([], outside)

[<Fact>]
let ``the public surface is the documented set of types`` () =
    let exported =
        assemblies
        |> List.collect (fun a -> a.GetExportedTypes() |> Seq.map (fun t -> t.Name) |> List.ofSeq)
        |> List.sort

    Assert.Equal<string list>(
        [
            "GenerationProgress"
            "HermesClient"
            "HermesError"
            "HermesGenerateOptions"
            "HermesGenerationException"
            "HermesImageGenerator"
            "HermesOptions"
            "HermesResult"
            "HermesServiceCollectionExtensions"
            "HermesTelemetry"
        ],
        exported
    )

[<Fact>]
let ``the only implementation type an app meets is ErrorKind, the kind of a HermesError`` () =
    let domain =
        shown ()
        |> List.filter (fun (_, part) -> namespaceOf part = "Hermes.Domain")
        |> List.map (fun (_, part) -> part.Name)
        |> List.distinct

    Assert.Equal<string list>([ "ErrorKind" ], domain)
