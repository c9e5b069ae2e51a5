module Hermes.Tests.Domain.ModelPrecedenceTests

open Xunit
open FsCheck.Xunit
open Hermes.Domain
open Hermes.Tests.Support

let openAiSettings scoped top =
    { Dispatch.emptySettings with
        Model = top
        ProviderModels =
            scoped
            |> Option.map (fun m -> Map [ "openai", m ])
            |> Option.defaultValue Map.empty
    }

let resolve catalog settings explicitModel env =
    ModelPrecedence.resolve catalog settings explicitModel (Map env)

let envLow = [ "OPENAI_IMAGE_MODEL", "gpt-image-2-low" ]

[<Fact>]
let ``precedence: image_gen.<provider>.model, then image_gen.model, then the env var, then the default`` () =
    let chosen scoped top env =
        resolve Catalog.openAi (openAiSettings scoped top) None env |> expectOk |> fst

    Assert.Equal("gpt-image-2-high", chosen (Some "gpt-image-2-high") (Some "gpt-image-2-medium") envLow)
    Assert.Equal("gpt-image-2-medium", chosen None (Some "gpt-image-2-medium") envLow)
    Assert.Equal("gpt-image-2-low", chosen None None envLow)
    Assert.Equal("gpt-image-2-medium", chosen None None [])

[<Fact>]
let ``an explicit model beats every configured one`` () =
    Assert.Equal(
        ("gpt-image-2-low", []),
        resolve Catalog.openAi (openAiSettings (Some "gpt-image-2-high") None) (Some " gpt-image-2-low ") []
        |> expectOk
    )

[<Fact>]
let ``each set value the catalog does not accept is skipped with a note naming the one used`` () =
    let model, notes =
        resolve Catalog.openAi (openAiSettings (Some "dall-e-2") (Some "midjourney")) None envLow
        |> expectOk

    Assert.Equal("gpt-image-2-low", model)

    Assert.Equal<(string * string * string) list>(
        [
            "image_gen.openai.model", "dall-e-2", "gpt-image-2-low"
            "image_gen.model", "midjourney", "gpt-image-2-low"
        ],
        notes |> List.map (fun n -> n.Field, n.Given, n.Used)
    )

    Assert.Equal(
        "image_gen.model 'midjourney' is not one of gpt-image-2-low, gpt-image-2-medium, gpt-image-2-high, gpt-image-*; using 'gpt-image-2-low'",
        notes[1].Message
    )

[<Fact>]
let ``an explicit model the catalog does not accept is refused, listing what it accepts`` () =
    let bad =
        resolve Catalog.xai Dispatch.emptySettings (Some "grok-2-image") []
        |> expectError

    Assert.Equal(
        "invalid model 'grok-2-image': allowed values are grok-imagine-image, grok-imagine-image-quality, grok-imagine-image-2.0",
        bad.Message
    )

[<Fact>]
let ``OpenAI passes any gpt-image-* id through, given explicitly, in config or in the env`` () =
    Assert.Equal(
        "gpt-image-1",
        resolve Catalog.openAi Dispatch.emptySettings (Some "gpt-image-1") []
        |> expectOk
        |> fst
    )

    Assert.Equal(
        "gpt-image-1.5",
        resolve Catalog.openAi (openAiSettings (Some "gpt-image-1.5") None) None []
        |> expectOk
        |> fst
    )

    Assert.Equal(
        "gpt-image-3",
        resolve Catalog.openAi (openAiSettings None (Some "gpt-image-3")) None []
        |> expectOk
        |> fst
    )

    Assert.Equal(
        "gpt-image-2.5-flare-max",
        resolve Catalog.openAi Dispatch.emptySettings None [ "OPENAI_IMAGE_MODEL", "gpt-image-2.5-flare-max" ]
        |> expectOk
        |> fst
    )

[<Fact>]
let ``Codex has no pass-through: its tiers only`` () =
    resolve Catalog.openAiCodex Dispatch.emptySettings (Some "gpt-image-1") []
    |> expectError
    |> ignore

    Assert.Equal(
        "gpt-image-2-medium",
        resolve
            Catalog.openAiCodex
            { Dispatch.emptySettings with
                Model = Some "gpt-image-1"
            }
            None
            []
        |> expectOk
        |> fst
    )

[<Fact>]
let ``a pass-through id needs more after the prefix, and only model-id characters`` () =
    for refused in
        [
            "gpt-image-"
            "gpt-image-../../x"
            "gpt-image-1 2"
            "GPT-IMAGE-1"
            "dall-e-3"
        ] do
        Assert.False(Catalog.accepts Catalog.openAi refused, refused)

[<Property>]
let ``a catalog accepts exactly its curated ids and, with a prefix, prefix + model-id characters`` (text: string) =
    let idChars (t: string) =
        t
        |> Seq.forall (fun c -> System.Char.IsAsciiLetterOrDigit c || c = '.' || c = '-' || c = '_')

    let expected (catalog: ProviderCatalog) =
        List.contains text (Catalog.modelIds catalog)
        || (catalog.PassThroughPrefix
            |> Option.exists (fun p -> not (isNull text) && text.StartsWith p && text.Length > p.Length && idChars text))

    Catalog.bundled |> List.forall (fun c -> Catalog.accepts c text = expected c)

[<Property>]
let ``resolve is total: Ok with an accepted model, or the explicit one refused`` (explicitModel: string option) (top: string) =
    let settings =
        { Dispatch.emptySettings with
            Model = Option.ofObj top
        }

    Catalog.bundled
    |> List.forall (fun catalog ->
        match ModelPrecedence.resolve catalog settings explicitModel Map.empty with
        | Ok(model, _) -> Catalog.accepts catalog model
        | Error bad -> explicitModel.IsSome && not (Catalog.accepts catalog bad.Value))
