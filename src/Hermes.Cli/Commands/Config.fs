/// `hermes config list|get|set|unset` over $HERMES_HOME/config.yaml, keys and values checked against Config.Schema.
module Hermes.Cli.Commands.Config

open System
open Argu
open Hermes.Cli
open Hermes.Cli.Args
open Hermes.Cli.Config
open Hermes.Domain
open YamlDotNet.RepresentationModel

type Entry =
    {
        Key: string
        Value: string
        Known: bool
    }

type Listing = { Path: string; Entries: Entry list }

type Value =
    {
        Key: string
        Value: string
        Path: string
    }

type Written =
    {
        Key: string
        Value: string
        Path: string
        /// Written with --force although Hermes does not read it.
        Unknown: bool
        /// Where --force moved an unreadable config.yaml.
        SetAside: string option
    }

type Removed =
    {
        Key: string
        Path: string
        Removed: bool
    }

/// The one place config calls the library: HERMES_HOME, and the registered providers with their model ids.
let private registry () : Result<string * (string * string list) list, CliError> =
    Client.load Client.ConfigUse.Optional
    |> Result.map (fun opened -> opened.Client.Context.Home, [ for p in opened.Client.Registry.All -> p.Name, Catalog.modelIds p.Catalog ])

let private keyParts (key: string) =
    Schema.parts key
    |> Option.map Ok
    |> Option.defaultValue (Error(CliError.Invalid(Schema.Refusal.message (Schema.Refusal.BadKey key))))

let private known providers root : Schema.Known =
    {
        Providers = providers
        Endpoints = Document.endpoints root
    }

let private document () =
    registry ()
    |> Result.bind (fun (home, providers) ->
        let path = Document.pathIn home

        Document.load path
        |> Result.map (fun root -> path, root, known providers root)
        |> Result.mapError CliError.Config)

let list (_: ParseResults<ConfigListArgs>) : Result<Listing, CliError> =
    document ()
    |> Result.map (fun (path, root, known) ->
        {
            Path = path
            Entries =
                [
                    for key, value in Document.entries root ->
                        {
                            Key = key
                            Value = value
                            Known = (Schema.find known key).IsSome
                        }
                ]
        })

/// A key that is not set; did-you-mean when Hermes does not read it either.
let private notSet (known: Schema.Known) (key: string) (path: string) =
    let near =
        match Schema.find known key with
        | Some _ -> ""
        | None -> Suggest.hint (Schema.names known) key

    CliError.NotSet $"'{key}' is not set in {path}{near}"

let get (args: ParseResults<ConfigGetArgs>) : Result<Value, CliError> =
    let key = args.GetResult ConfigGetArgs.Key

    result {
        let! parts = keyParts key
        let! path, root, known = document ()

        match Document.tryGet root parts with
        | Some value ->
            return
                {
                    Key = key
                    Value = value
                    Path = path
                }
        | None -> return! Error(notSet known key path)
    }

/// The document set starts from: the file, or (with --force) an empty one after moving an unreadable file aside.
let private startingPoint (path: string) (loaded: Result<YamlMappingNode, string>) (force: bool) =
    match loaded with
    | Ok root -> Ok(root, None)
    | Error _ when force ->
        Document.setAside path DateTimeOffset.UtcNow
        |> Result.map (fun aside -> YamlMappingNode(), Some aside)
        |> Result.mapError CliError.Config
    | Error unreadable ->
        Error(
            CliError.Config(
                unreadable
                + "; not overwritten: `hermes config set KEY VALUE --force` replaces it and keeps the old file aside"
            )
        )

let set (args: ParseResults<ConfigSetArgs>) : Result<Written, CliError> =
    let key, value = args.GetResult ConfigSetArgs.Key_Value
    let force = args.Contains ConfigSetArgs.Force

    result {
        let! parts = keyParts key
        let! home, providers = registry ()
        let path = Document.pathIn home
        let loaded = Document.load path

        let known: Schema.Known =
            {
                Providers = providers
                Endpoints = loaded |> Result.map Document.endpoints |> Result.defaultValue []
            }

        let! setting =
            Schema.check known force key value
            |> Result.mapError (Schema.Refusal.message >> CliError.Invalid)

        let! root, aside = startingPoint path loaded force

        let stored =
            match setting with
            | Some { Shape = Schema.Shape.List } -> Document.Value.List(Schema.listItems value)
            | _ -> Document.Value.Scalar value

        do! Document.set root parts stored |> Result.mapError CliError.Invalid
        do! Document.save path root |> Result.mapError CliError.Config

        return
            {
                Key = key
                Value = value
                Path = path
                Unknown = setting.IsNone
                SetAside = aside
            }
    }

let unset (args: ParseResults<ConfigUnsetArgs>) : Result<Removed, CliError> =
    let key = args.GetResult ConfigUnsetArgs.Key

    result {
        let! parts = keyParts key
        let! path, root, known = document ()
        let! removed = Document.unset root parts |> Result.mapError CliError.Invalid

        if removed then
            do! Document.save path root |> Result.mapError CliError.Config
        elif (Schema.find known key).IsNone then
            do! Error(notSet known key path)

        return
            {
                Key = key
                Path = path
                Removed = removed
            }
    }
