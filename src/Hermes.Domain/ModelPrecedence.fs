namespace Hermes.Domain

/// The image_gen section of config.yaml.
type ImageGenSettings =
    {
        Provider: string option
        Model: string option
        /// image_gen.<provider>.model
        ProviderModels: Map<string, string>
        UseGateway: bool
    }

/// Which model a provider runs.
module ModelPrecedence =

    /// An explicit model must be one the catalog accepts; otherwise image_gen.<p>.model > image_gen.model > env > default,
    /// where each set value the catalog does not accept is skipped with a fallback note.
    let resolve
        (catalog: ProviderCatalog)
        (settings: ImageGenSettings)
        (explicitModel: string option)
        (env: Map<string, string>)
        : Result<string * Fallback list, BadValue> =
        let accepted = Catalog.accepts catalog

        match explicitModel |> Option.bind Validation.nonBlank with
        | Some model when accepted model -> Ok(model, [])
        | Some model ->
            Error
                {
                    Field = "model"
                    Value = model
                    Allowed = Catalog.allowed catalog
                }
        | None ->
            let configured =
                [
                    $"image_gen.{catalog.Provider}.model", settings.ProviderModels |> Map.tryFind catalog.Provider
                    "image_gen.model", settings.Model
                    match catalog.ModelEnvVar with
                    | Some var -> var, env |> Map.tryFind var
                    | None -> "", None
                ]
                |> List.choose (fun (field, value) -> value |> Option.bind Validation.nonBlank |> Option.map (fun v -> field, v))

            // Everything before the first accepted value was set but unusable.
            let skipped, rest =
                configured
                |> List.splitAt (
                    configured
                    |> List.tryFindIndex (snd >> accepted)
                    |> Option.defaultValue configured.Length
                )

            let chosen =
                rest
                |> List.tryHead
                |> Option.map snd
                |> Option.defaultValue catalog.DefaultModel

            let notes =
                skipped
                |> List.map (fun (field, v) ->
                    {
                        Field = field
                        Given = v
                        Used = chosen
                        Allowed = Catalog.allowed catalog
                    })

            Ok(chosen, notes)
