namespace Hermes.Domain

/// Which provider a library client's explicit settings choose, before dispatch looks at anything read from the machine.
module ExplicitProvider =

    /// The named provider (trimmed) when one is named; else the one provider whose key was passed explicitly;
    /// else none, and dispatch decides.
    let choose (named: string option) (keyed: string list) : string option =
        match named |> Option.map (fun n -> n.Trim()) |> Option.filter (fun n -> n <> "") with
        | Some name -> Some name
        | None ->
            match List.distinct keyed with
            | [ only ] -> Some only
            | _ -> None
