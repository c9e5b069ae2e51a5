/// list_models and list_providers as JSON an agent reads: each provider's models with the limits generate_image
/// checks, and each provider's availability or the fix.
module Hermes.Cli.Mcp.Listings

open System.Text.Json.Nodes
open Hermes.Cli.Commands
open Hermes.Domain
open Hermes
open Hermes.Providers.Library

let private strings (values: string seq) =
    JsonArray(values |> Seq.map (fun v -> JsonValue.Create v :> JsonNode) |> Array.ofSeq)

let private textOrNull (value: string option) : JsonNode =
    match value with
    | Some v -> JsonValue.Create v
    | None -> null

let private objectOf (fields: (string * JsonNode) list) =
    let o = JsonObject()

    for key, value in fields do
        o[key] <- value

    o

/// What generate_image accepts for a provider besides its models: count, the aspects, and the qualities and sizes of
/// its default model (each model lists its own).
let private limits (catalog: ProviderCatalog) (controlsAs: string) : (string * JsonNode) list =
    let qualities, sizes = ImageRequest.takes controlsAs catalog.DefaultModel

    [
        "count", objectOf [ "min", JsonValue.Create 1; "max", JsonValue.Create HermesClient.MaxCount ]
        "aspect_ratios", strings (AspectRatio.all |> List.map AspectRatio.toWire)
        "qualities", strings qualities
        "sizes", strings sizes
        "other_models", textOrNull (catalog.PassThroughPrefix |> Option.map (fun p -> p + "*"))
    ]

/// Every chosen provider with its models (the default marked) and limits.
let models (catalogs: ProviderCatalog list) (controlsAs: string -> string) (rows: Models.ModelRow list) (warnings: string list) : JsonNode =
    objectOf
        [
            "providers",
            JsonArray(
                [|
                    for catalog in catalogs do
                        let own = rows |> List.filter (fun m -> m.Provider = catalog.Provider)

                        if not own.IsEmpty then
                            objectOf (
                                [
                                    "provider", JsonValue.Create catalog.Provider
                                    "display_name", JsonValue.Create catalog.DisplayName
                                    "default_model", JsonValue.Create catalog.DefaultModel
                                    "models",
                                    JsonArray(
                                        [|
                                            for m in own ->
                                                let qualities, sizes = ImageRequest.takes (controlsAs catalog.Provider) m.Id

                                                objectOf
                                                    [
                                                        "id", JsonValue.Create m.Id
                                                        "display", JsonValue.Create m.Display
                                                        "speed", JsonValue.Create m.Speed
                                                        "strengths", JsonValue.Create m.Strengths
                                                        "default", JsonValue.Create m.Default
                                                        "qualities", strings qualities
                                                        "sizes", strings sizes
                                                    ]
                                                :> JsonNode
                                        |]
                                    )
                                ]
                                @ limits catalog (controlsAs catalog.Provider)
                            )
                            :> JsonNode
                |]
            )
            "warnings", strings warnings
        ]

/// Every provider, available or what fixes it, and what generate_image would use now.
let providers (result: Providers.ProvidersResult) : JsonNode =
    objectOf
        [
            "providers",
            JsonArray(
                [|
                    for p in result.Providers ->
                        objectOf
                            [
                                "name", JsonValue.Create p.Name
                                "display_name", JsonValue.Create p.DisplayName
                                "available", JsonValue.Create p.Missing.IsNone
                                "fix", textOrNull p.Missing
                                "default_model", JsonValue.Create p.DefaultModel
                                "env_vars", strings (p.Setup.EnvVars |> List.map _.Key)
                            ]
                        :> JsonNode
                |]
            )
            match result.Dispatch.Ready with
            | Ok uses -> "generate_image_uses", JsonValue.Create uses
            | Error why -> "generate_image_blocked", JsonValue.Create why
            "warnings", strings result.Warnings
        ]
