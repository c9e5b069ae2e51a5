/// The config.yaml keys Hermes reads and the values each accepts; pure, so `config set` checks before writing.
module Hermes.Cli.Config.Schema

open System
open System.Globalization
open Hermes.Cli
open Hermes.Domain

/// What the checks consult: the registered providers with their model ids, and the endpoints config.yaml names.
type Known =
    {
        Providers: (string * string list) list
        Endpoints: string list
    }

/// How a value is stored: a scalar, or a YAML list given as comma-separated items.
[<RequireQualifiedAccess>]
type Shape =
    | Scalar
    | List

/// A value that was refused, and the values it may have been meant as (for did-you-mean).
type Rejected = { Bad: BadValue; Near: string list }

/// A key (a `*` segment stands for any endpoint name) and its check of (key as given, value).
type Setting =
    {
        Key: string
        Shape: Shape
        Check: string -> string -> Result<unit, Rejected>
    }

/// Why `config set` refuses a key or value.
[<RequireQualifiedAccess>]
type Refusal =
    | BadKey of key: string
    | UnknownKey of key: string * near: string option * known: string list
    | BadValue of Rejected

module Refusal =

    let message =
        function
        | Refusal.BadKey key -> $"invalid config key '{key}': allowed keys are dotted names such as image_gen.provider"
        | Refusal.UnknownKey(key, Some near, _) -> $"unknown config key '{key}'; did you mean '{near}'? (--force writes it anyway)"
        | Refusal.UnknownKey(key, None, known) ->
            sprintf "unknown config key '%s': Hermes reads %s (--force writes it anyway)" key (String.concat ", " known)
        | Refusal.BadValue rejected -> rejected.Bad.Message + Suggest.hint rejected.Near rejected.Bad.Value

let private reject key value allowed near =
    Error
        {
            Bad =
                {
                    Field = key
                    Value = value
                    Allowed = allowed
                }
            Near = near
        }

let private oneOf (key: string) (allowed: string list) (value: string) =
    if List.contains value allowed then
        Ok()
    else
        reject key value allowed allowed

let private positiveInteger (key: string) (what: string) (value: string) =
    match Int32.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture) with
    | true, n when n > 0 -> Ok()
    | _ -> reject key value [ what ] []

let private positiveSeconds (key: string) (value: string) =
    match Double.TryParse(value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture) with
    | true, s when s > 0.0 && Double.IsFinite s -> Ok()
    | _ -> reject key value [ "a positive number of seconds" ] []

/// An endpoint key (image_gen.endpoints.NAME.field): the name and the value, by the domain's rules for config.yaml.
let private endpointValue (field: string) (key: string) (value: string) =
    Endpoints.checkSetting (key.Split('.')[2]) field value
    |> Option.defaultValue (Ok())
    |> Result.mapError (fun bad -> { Bad = bad; Near = bad.Allowed })

/// The items of a list value, trimmed and without empty ones.
let listItems (value: string) =
    value.Split(',', StringSplitOptions.TrimEntries ||| StringSplitOptions.RemoveEmptyEntries)
    |> List.ofArray

let private setting key shape check =
    {
        Key = key
        Shape = shape
        Check = check
    }

/// Every key Hermes reads, with its check.
let settings (known: Known) : Setting list =
    let names = (known.Providers |> List.map fst) @ known.Endpoints
    let allModels = known.Providers |> List.collect snd |> List.distinct

    [
        setting "image_gen.provider" Shape.Scalar (fun key v ->
            if List.contains v names then
                Ok()
            else
                reject key v names names)
        setting "image_gen.model" Shape.Scalar (fun key v ->
            if List.contains v allModels then
                Ok()
            else
                reject key v [ "a model id listed by `hermes models`" ] allModels)
        setting "image_gen.use_gateway" Shape.Scalar (fun key -> oneOf key [ "true"; "false" ])
        for provider, models in known.Providers do
            setting $"image_gen.{provider}.model" Shape.Scalar (fun key -> oneOf key models)
        setting "image_gen.xai.resolution" Shape.Scalar (fun key v ->
            Resolution.parse v
            |> Result.map ignore
            |> Result.mapError (fun bad ->
                {
                    Bad = { bad with Field = key }
                    Near = bad.Allowed
                }))
        setting "image_gen.timeout" Shape.Scalar positiveSeconds
        setting "image_gen.cache.max_age_days" Shape.Scalar (fun key -> positiveInteger key "a positive whole number of days")
        setting "image_gen.cache.max_total_mb" Shape.Scalar (fun key -> positiveInteger key "a positive whole number of megabytes")
        for field in Endpoints.settingNames do
            let shape = if field = "models" then Shape.List else Shape.Scalar
            setting $"image_gen.endpoints.*.{field}" shape (endpointValue field)
    ]

/// The dotted parts of a key, when each is a plain name.
let parts (key: string) : string list option =
    let segments = (if isNull key then "" else key).Split '.' |> List.ofArray

    if
        segments
        |> List.forall (fun s ->
            s.Length > 0
            && s |> Seq.forall (fun c -> Char.IsAsciiLetterOrDigit c || c = '_' || c = '-'))
    then
        Some segments
    else
        None

let private matches (pattern: string) (key: string list) =
    let expected = pattern.Split '.' |> List.ofArray

    expected.Length = key.Length
    && List.forall2 (fun p k -> p = "*" || p = k) expected key

/// The setting a key names, if Hermes reads it.
let find (known: Known) (key: string) : Setting option =
    parts key
    |> Option.bind (fun segments -> settings known |> List.tryFind (fun s -> matches s.Key segments))

/// The keys a typo is compared with: the literal ones, and each endpoint's keys under its name.
let names (known: Known) : string list =
    [
        for s in settings known do
            if s.Key.Contains '*' then
                for endpoint in known.Endpoints -> s.Key.Replace("*", endpoint)
            else
                yield s.Key
    ]

/// The setting a `config set` writes, or why it refuses; `force` lets a key Hermes does not read through.
let check (known: Known) (force: bool) (key: string) (value: string) : Result<Setting option, Refusal> =
    match parts key with
    | None -> Error(Refusal.BadKey key)
    | Some _ ->
        match find known key with
        | Some setting ->
            setting.Check key value
            |> Result.map (fun () -> Some setting)
            |> Result.mapError Refusal.BadValue
        | None when force -> Ok None
        | None ->
            let shown = settings known |> List.map (fun s -> s.Key.Replace("*", "<name>"))
            Error(Refusal.UnknownKey(key, Suggest.closest (names known) key, shown))
