namespace Hermes.Domain

/// Which values `hermes config set` accepts for the keys Hermes reads; other keys are stored as given.
module ConfigKeys =

    let private bad key value allowed =
        Error
            {
                Field = key
                Value = value
                Allowed = allowed
            }

    let validate (catalogs: ProviderCatalog list) (key: string) (value: string) : Result<unit, BadValue> =
        let names = catalogs |> List.map _.Provider

        match key.Split '.' |> List.ofArray with
        | [ "image_gen"; "provider" ] ->
            if List.contains value (names @ [ Dispatch.nousAlias ]) then
                Ok()
            else
                bad key value (names @ [ Dispatch.nousAlias ])
        | [ "image_gen"; "model" ] ->
            if catalogs |> List.exists (fun c -> Catalog.accepts c value) then
                Ok()
            else
                bad key value [ "a model id listed by `hermes models`" ]
        | [ "image_gen"; "use_gateway" ] ->
            if List.contains value [ "true"; "false" ] then
                Ok()
            else
                bad key value [ "true"; "false" ]
        | [ "image_gen"; "xai"; "resolution" ] ->
            Resolution.parse value
            |> Result.map ignore
            |> Result.mapError (fun b -> { b with Field = key })
        | [ "image_gen"; "endpoints"; name; field ] -> Endpoints.checkSetting name field value |> Option.defaultValue (Ok())
        | [ "image_gen"; provider; "model" ] ->
            match catalogs |> List.tryFind (fun c -> c.Provider = provider) with
            | Some catalog when not (Catalog.accepts catalog value) -> bad key value (Catalog.allowed catalog)
            | _ -> Ok()
        | _ -> Ok()
