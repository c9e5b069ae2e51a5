namespace Hermes.Domain

/// A value that is not one of the allowed ones; the message names both.
type BadValue =
    {
        Field: string
        Value: string
        Allowed: string list
    }

    member this.Message =
        sprintf "invalid %s '%s': allowed values are %s" this.Field this.Value (String.concat ", " this.Allowed)

/// A configured value that was not usable, and the value used instead; the caller logs it.
type Fallback =
    {
        Field: string
        Given: string
        Used: string
        Allowed: string list
    }

    member this.Message =
        sprintf "%s '%s' is not one of %s; using '%s'" this.Field this.Given (String.concat ", " this.Allowed) this.Used

module Validation =

    /// Trimmed text, or None when null, empty or blank.
    let nonBlank (text: string) =
        match text with
        | null -> None
        | t when t.Trim() = "" -> None
        | t -> Some(t.Trim())

    /// Looks a value up in an (id, value) table by exact id.
    let parseFrom (field: string) (table: (string * 'T) list) (text: string) : Result<'T, BadValue> =
        let given = if isNull text then "" else text

        match table |> List.tryFind (fun (id, _) -> id = given.Trim()) with
        | Some(_, value) -> Ok value
        | None ->
            Error
                {
                    Field = field
                    Value = given
                    Allowed = table |> List.map fst
                }

    /// A config value: parsed when present and valid, the default (with a fallback note) otherwise.
    let orDefault (field: string) (table: (string * 'T) list) (defaultId: string) (text: string option) =
        let defaultValue = table |> List.find (fun (id, _) -> id = defaultId) |> snd

        match text |> Option.bind nonBlank with
        | None -> defaultValue, None
        | Some given ->
            match parseFrom field table given with
            | Ok value -> value, None
            | Error bad ->
                defaultValue,
                Some
                    {
                        Field = field
                        Given = given
                        Used = defaultId
                        Allowed = bad.Allowed
                    }
