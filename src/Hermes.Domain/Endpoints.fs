namespace Hermes.Domain

open System

/// How a named endpoint speaks: the OpenAI images API, or Azure OpenAI's per-deployment form of it.
[<RequireQualifiedAccess>]
type EndpointKind =
    | OpenAi
    | Azure

/// A named endpoint of config.yaml (image_gen.endpoints.NAME), checked: a provider of its own.
type Endpoint =
    {
        Name: string
        /// Absolute http(s), no user info, query or fragment, no trailing slash.
        BaseUrl: string
        /// The environment variable that holds the key; the key itself is never in config.yaml.
        KeyEnv: string
        /// Sent unchanged (openai) or as the deployment name (azure); the first is the default.
        Models: string list
        Kind: EndpointKind
        /// The api-version query of an azure endpoint; None for openai.
        ApiVersion: string option
        /// The most images one request asks for (`n`); 1 for a gateway that ignores or refuses `n`.
        MaxImages: int
    }

/// A value of an endpoint section as YAML held it, before any check.
[<RequireQualifiedAccess>]
type EndpointValue =
    | Text of string
    | Items of string list
    /// A nested section, never a valid endpoint value.
    | Section

/// One image_gen.endpoints entry as written: its name and its keys in file order.
type EndpointSection =
    {
        Name: string
        Fields: (string * EndpointValue) list
    }

/// Named OpenAI-compatible and Azure endpoints (more-providers.md "openai-compatible"): the config check, the catalog,
/// and the requests, built on the OpenAI builders.
module Endpoints =

    let kindNames = [ "openai", EndpointKind.OpenAi; "azure", EndpointKind.Azure ]

    /// The api-version Microsoft's gpt-image-1 guide uses for both /images/generations and /images/edits.
    let defaultAzureApiVersion = "2025-04-01-preview"

    let settingNames = [ "base_url"; "key_env"; "models"; "kind"; "api_version"; "max_images" ]

    /// Names under which a key could be pasted into config.yaml itself.
    let private secretNames =
        [
            "key"
            "api_key"
            "apikey"
            "api-key"
            "token"
            "access_token"
            "secret"
            "password"
            "bearer"
            "authorization"
        ]

    /// Names an endpoint may not take: the bundled providers and the nous alias (compared ignoring case).
    let reservedNames =
        (Catalog.bundled |> List.map _.Provider) @ [ Dispatch.nousAlias ]

    let private isNameChar (c: char) =
        Char.IsAsciiLetterOrDigit c || c = '-' || c = '_'

    // Azure deployment names go in the URL path; gateway ids may also carry '/' and ':' (vendor/model:variant).
    let private isModelChar (kind: EndpointKind) (c: char) =
        Char.IsAsciiLetterOrDigit c
        || c = '.'
        || c = '-'
        || c = '_'
        || (kind = EndpointKind.OpenAi && (c = '/' || c = ':'))

    let private isEnvName (text: string) =
        text.Length > 0
        && text.Length <= 128
        && (Char.IsAsciiLetter text[0] || text[0] = '_')
        && Seq.forall (fun c -> Char.IsAsciiLetterOrDigit c || c = '_') text

    /// A long mixed-case-and-digits value is a key, not a variable name (variable names are words in capitals).
    let looksLikeKey (text: string) =
        text.Length >= 24
        && Seq.exists Char.IsAsciiLetterLower text
        && Seq.exists Char.IsAsciiDigit text

    let private key (name: string) (field: string) =
        $"image_gen.endpoints.{name}.{field}"

    let private invalid (field: string) (value: string) (allowed: string list) =
        Error
            {
                Field = field
                Value = value
                Allowed = allowed
            }

    /// base_url as sent: an absolute http(s) URL with a host and no user info, query or fragment; trailing slashes dropped.
    let baseUrl (field: string) (text: string) : Result<string, BadValue> =
        let allowed =
            [
                "an absolute http(s) URL without user info, query or fragment, such as https://gateway.example/v1"
            ]

        let trimmed = if isNull text then "" else text.Trim()

        match Uri.TryCreate(trimmed, UriKind.Absolute) with
        | true, uri when
            (uri.Scheme = Uri.UriSchemeHttp || uri.Scheme = Uri.UriSchemeHttps)
            && uri.Host <> ""
            && uri.UserInfo = ""
            && not (trimmed.Contains '?')
            && not (trimmed.Contains '#')
            ->
            Ok(trimmed.TrimEnd '/')
        // user info, a query or a fragment may carry a password or a key: only the prefix is shown
        | _ when trimmed.Contains '@' || trimmed.Contains '?' || trimmed.Contains '#' -> invalid field (Secrets.prefix trimmed) allowed
        | _ -> invalid field trimmed allowed

    /// key_env: the name of an environment variable; a value that is not one is shown only by its prefix (it may be the key).
    let keyEnv (field: string) (text: string) : Result<string, BadValue> =
        let trimmed = if isNull text then "" else text.Trim()

        if isEnvName trimmed && not (looksLikeKey trimmed) then
            Ok trimmed
        else
            invalid
                field
                (Secrets.prefix trimmed)
                [
                    "the name of an environment variable that holds the key, such as MY_GATEWAY_KEY (never the key itself)"
                ]

    /// The model ids of an endpoint: at least one, each 1-100 id characters (no '/' or ':' for an azure deployment).
    let models (field: string) (kind: EndpointKind) (ids: string list) : Result<string list, BadValue> =
        let allowed =
            match kind with
            | EndpointKind.OpenAi ->
                [
                    "one or more model ids of letters, digits, '.', '-', '_', '/', ':' (the first is the default)"
                ]
            | EndpointKind.Azure ->
                [
                    "one or more deployment names of letters, digits, '.', '-', '_' (the first is the default)"
                ]

        let ids =
            ids
            |> List.map (fun id -> if isNull id then "" else id.Trim())
            |> List.filter ((<>) "")

        match
            ids
            |> List.tryFind (fun id -> id.Length > 100 || not (Seq.forall (isModelChar kind) id))
        with
        | Some bad -> invalid field bad allowed
        | None when List.isEmpty ids -> invalid field "" allowed
        | None -> Ok(List.distinct ids)

    let apiVersion (field: string) (text: string) : Result<string, BadValue> =
        let trimmed = if isNull text then "" else text.Trim()

        if
            trimmed.Length > 0
            && trimmed.Length <= 40
            && Seq.forall (fun c -> Char.IsAsciiLetterOrDigit c || c = '-' || c = '.') trimmed
        then
            Ok trimmed
        else
            invalid field trimmed [ $"an Azure OpenAI api-version such as {defaultAzureApiVersion}" ]

    /// max_images: a whole number from 1 to ImageCount.openAiMax (the OpenAI images API's own limit on `n`).
    let maxImages (field: string) (text: string) : Result<int, BadValue> =
        let trimmed = if isNull text then "" else text.Trim()

        match Int32.TryParse trimmed with
        | true, n when n >= 1 && n <= ImageCount.openAiMax -> Ok n
        | _ -> invalid field trimmed [ $"a whole number from 1 to {ImageCount.openAiMax} (1 for a gateway that ignores n)" ]

    /// An endpoint's name: a plain name that is not a bundled provider's (nor the nous alias), compared ignoring case.
    let validName (text: string) : Result<string, BadValue> =
        let given = if isNull text then "" else text.Trim()
        let plain = given.Length > 0 && given.Length <= 64 && Seq.forall isNameChar given

        let reserved =
            reservedNames
            |> List.exists (fun r -> String.Equals(r, given, StringComparison.OrdinalIgnoreCase))

        if plain && not reserved then
            Ok given
        else
            invalid
                "endpoint name"
                given
                [
                    sprintf "up to 64 letters, digits, '-' and '_', other than %s" (String.concat ", " reservedNames)
                ]

    /// A `config set image_gen.endpoints.NAME.FIELD VALUE`: the name and the value checked as config.yaml would check them
    /// (models as any kind takes them: the kind may come later); None for a field endpoints do not have.
    let checkSetting (name: string) (field: string) (value: string) : Result<unit, BadValue> option =
        let key = key name field

        let valueCheck =
            match field with
            | "base_url" -> Some(baseUrl key value |> Result.map ignore)
            | "key_env" -> Some(keyEnv key value |> Result.map ignore)
            | "kind" -> Some(Validation.parseFrom key kindNames value |> Result.map ignore)
            | "models" ->
                Some(
                    models key EndpointKind.OpenAi (value.Split ',' |> List.ofArray)
                    |> Result.map ignore
                )
            | "api_version" -> Some(apiVersion key value |> Result.map ignore)
            | "max_images" -> Some(maxImages key value |> Result.map ignore)
            | _ -> None

        valueCheck
        |> Option.map (fun check -> validName name |> Result.bind (fun _ -> check))

    /// One endpoint section checked; the first problem as one line naming the key, the value and what is allowed.
    let check (section: EndpointSection) : Result<Endpoint, string> =
        let name = if isNull section.Name then "" else section.Name.Trim()

        let find field =
            section.Fields |> List.tryFind (fst >> (=) field) |> Option.map snd

        let text field : Result<string option, string> =
            match find field with
            | None -> Ok None
            | Some(EndpointValue.Text t) -> Ok(Validation.nonBlank t)
            | Some _ -> Error $"{key name field} must be a single value"

        let missing field =
            Error $"{key name field} is missing: an endpoint needs base_url, key_env and models"

        let required field =
            text field
            |> Result.bind (function
                | Some value -> Ok value
                | None -> missing field)

        let fieldNames = section.Fields |> List.map fst

        let noPastedKey () =
            match
                fieldNames
                |> List.tryFind (fun f -> List.contains (f.ToLowerInvariant()) secretNames)
            with
            | Some pasted ->
                Error(
                    sprintf
                        "%s: a key does not belong in config.yaml; put it in an environment variable and name that variable in key_env"
                        (key name pasted)
                )
            | None -> Ok()

        let noUnknown () =
            match fieldNames |> List.tryFind (fun f -> not (List.contains f settingNames)) with
            | Some unknown ->
                Error(sprintf "%s is not an endpoint setting; allowed: %s" (key name unknown) (String.concat ", " settingNames))
            | None -> Ok()

        let kindOf () =
            text "kind"
            |> Result.bind (function
                | None -> Ok EndpointKind.OpenAi
                | Some k -> Validation.parseFrom (key name "kind") kindNames k |> Result.mapError _.Message)

        let modelsOf kind =
            match find "models" with
            | None -> missing "models"
            | Some(EndpointValue.Items items) -> models (key name "models") kind items |> Result.mapError _.Message
            | Some(EndpointValue.Text t) ->
                models (key name "models") kind (t.Split(',') |> List.ofArray)
                |> Result.mapError _.Message
            | Some EndpointValue.Section -> Error(sprintf "%s must be a list of model ids" (key name "models"))

        let versionOf kind =
            text "api_version"
            |> Result.bind (fun given ->
                match kind, given with
                | EndpointKind.Azure, None -> Ok(Some defaultAzureApiVersion)
                | EndpointKind.Azure, Some v ->
                    apiVersion (key name "api_version") v
                    |> Result.map Some
                    |> Result.mapError _.Message
                | EndpointKind.OpenAi, None -> Ok None
                | EndpointKind.OpenAi, Some v ->
                    Error(sprintf "%s '%s' applies to kind azure only; remove it or set kind: azure" (key name "api_version") v))

        let maxImagesOf () =
            text "max_images"
            |> Result.bind (function
                | None -> Ok ImageCount.openAiMax
                | Some n -> maxImages (key name "max_images") n |> Result.mapError _.Message)

        validName name
        |> Result.mapError _.Message
        |> Result.bind (fun _ -> noPastedKey ())
        |> Result.bind noUnknown
        |> Result.bind kindOf
        |> Result.bind (fun kind ->
            required "base_url"
            |> Result.bind (baseUrl (key name "base_url") >> Result.mapError _.Message)
            |> Result.bind (fun url ->
                required "key_env"
                |> Result.bind (keyEnv (key name "key_env") >> Result.mapError _.Message)
                |> Result.bind (fun keyName ->
                    modelsOf kind
                    |> Result.bind (fun ids ->
                        versionOf kind
                        |> Result.bind (fun version ->
                            maxImagesOf ()
                            |> Result.map (fun most ->
                                {
                                    Name = name
                                    BaseUrl = url
                                    KeyEnv = keyName
                                    Models = ids
                                    Kind = kind
                                    ApiVersion = version
                                    MaxImages = most
                                }))))))

    /// Every endpoint section checked, in file order; the first problem stops the lot (nothing is sent with a half-valid config).
    let parse (sections: EndpointSection list) : Result<Endpoint list, string> =
        let folder (acc: Result<Endpoint list, string>) section =
            acc
            |> Result.bind (fun done' -> check section |> Result.map (fun e -> done' @ [ e ]))

        sections |> List.fold folder (Ok [])

    let kindName (kind: EndpointKind) =
        kindNames |> List.find (snd >> (=) kind) |> fst

    /// The endpoint as a provider catalog: its models only (no pass-through, no model env var), the first the default.
    let catalog (endpoint: Endpoint) : ProviderCatalog =
        let label =
            match endpoint.Kind with
            | EndpointKind.OpenAi -> "OpenAI-compatible"
            | EndpointKind.Azure -> "Azure OpenAI"

        {
            Provider = endpoint.Name
            DisplayName = $"{endpoint.Name} ({label} endpoint)"
            Models =
                endpoint.Models
                |> List.map (fun id -> ModelInfo.create id id "" $"Configured in image_gen.endpoints.{endpoint.Name}")
            DefaultModel = List.head endpoint.Models
            ModelEnvVar = None
            PassThroughPrefix = None
        }

    /// The edit limits of every endpoint model: the OpenAI `/images/edits` form (image[] parts and a mask).
    let editSupport = EditCapability.openAi

    let private url (endpoint: Endpoint) (model: string) (operation: string) =
        match endpoint.Kind, endpoint.ApiVersion with
        | EndpointKind.Azure, version ->
            sprintf
                "%s/openai/deployments/%s/images/%s?api-version=%s"
                endpoint.BaseUrl
                (Uri.EscapeDataString model)
                operation
                (Uri.EscapeDataString(Option.defaultValue defaultAzureApiVersion version))
        | EndpointKind.OpenAi, _ -> $"{endpoint.BaseUrl}/images/{operation}"

    /// POST {base}/images/generations, or {base}/openai/deployments/{model}/images/generations?api-version= on azure.
    let generationUrl (endpoint: Endpoint) (model: string) = url endpoint model "generations"

    let editUrl (endpoint: Endpoint) (model: string) = url endpoint model "edits"

    /// The key's header: Bearer for openai, `api-key` for azure (never in the query).
    let authHeader (endpoint: Endpoint) (secret: string) =
        match endpoint.Kind with
        | EndpointKind.OpenAi -> "Authorization", "Bearer " + secret
        | EndpointKind.Azure -> "api-key", secret

    /// The OpenAI generation body with the id passed through; azure names the model by its deployment path, not the body.
    let generationBody (endpoint: Endpoint) (model: string) (prompt: string) (aspect: AspectRatio) (controls: OutputControls) =
        let body =
            Requests.openAi (OpenAiModel.PassThrough model) prompt aspect controls

        if endpoint.Kind = EndpointKind.Azure then
            body.Remove "model" |> ignore

        body

    /// The OpenAI edit form with the id passed through; azure drops the model field likewise.
    let editParts
        (endpoint: Endpoint)
        (model: string)
        (prompt: string)
        (aspect: AspectRatio)
        (sourceCount: int)
        (hasMask: bool)
        (controls: OutputControls)
        (fidelity: string option)
        =
        EditRequests.openAi (OpenAiModel.PassThrough model) prompt aspect sourceCount hasMask controls fidelity
        |> List.filter (fun part -> endpoint.Kind = EndpointKind.OpenAi || part <> FormPart.Field("model", model))
