namespace Hermes.Domain

open System
open System.Text.RegularExpressions

/// The places a local edit source may never be read from: $HERMES_HOME (but for its image cache) and credential stores.
type ReadGuardPaths =
    {
        HermesHome: string
        CredentialStores: string list
    }

/// trust.md "Input images for edits": the read guard, on absolute path strings; the caller resolves symlinks and checks both.
module ReadGuard =

    let private drive = Regex(@"^[A-Za-z]:$", RegexOptions.CultureInvariant)

    /// An absolute path with '/' separators, '.' and '..' resolved and no trailing separator; None when not absolute.
    let normalize (path: string) : string option =
        match Validation.nonBlank path with
        | None -> None
        | Some text ->
            let unified = text.Replace('\\', '/')
            let segments = unified.Split('/') |> List.ofArray

            let root, rest =
                match segments with
                | "" :: "" :: server :: tail when text.StartsWith @"\\" && server <> "" && server <> "." && server <> ".." ->
                    Some("//" + server), tail // UNC \\server\share
                | "" :: tail -> Some "", tail
                | first :: tail when drive.IsMatch first -> Some(first.ToUpperInvariant()), tail
                | _ -> None, []

            root
            |> Option.map (fun prefix ->
                let resolved =
                    rest
                    |> List.fold
                        (fun (kept: string list) segment ->
                            match segment with
                            | ""
                            | "." -> kept
                            | ".." ->
                                match kept with
                                | _ :: parent -> parent
                                | [] -> []
                            | name -> name :: kept)
                        []
                    |> List.rev

                match resolved with
                | [] -> if prefix = "" then "/" else prefix + "/"
                | names -> prefix + "/" + String.concat "/" names)

    /// Whether `path` is `root` or inside it; both normalized, compared ignoring case so no spelling slips past.
    let isUnder (root: string) (path: string) =
        match normalize root, normalize path with
        | Some r, Some p ->
            let r = r.TrimEnd('/')

            p.Equals(r, StringComparison.OrdinalIgnoreCase)
            || p.StartsWith(r + "/", StringComparison.OrdinalIgnoreCase)
        | _ -> false

    /// Credential stores under the user's home (and $CODEX_HOME) that no edit may read, whatever their content.
    let credentialStores (userHome: string) (codexHome: string option) =
        let home = (if isNull userHome then "" else userHome).TrimEnd('/', '\\')

        let underHome =
            [
                ".codex"
                ".ssh"
                ".aws"
                ".azure"
                ".gnupg"
                ".kube"
                ".docker/config.json"
                ".config/gcloud"
                ".config/gh"
                ".netrc"
                ".git-credentials"
                ".npmrc"
                ".pypirc"
            ]
            |> List.map (fun relative -> home + "/" + relative)

        underHome @ (codexHome |> Option.bind Validation.nonBlank |> Option.toList)

    /// Ok when the absolute path may be read; otherwise one line naming the path and the rule.
    let check (paths: ReadGuardPaths) (path: string) : Result<unit, string> =
        let shown = TerminalText.sanitizeWith 200 (if isNull path then "" else path)

        match normalize path with
        | None -> Error $"refusing to read '{shown}': the read guard needs an absolute path"
        | Some full ->
            let cache = (paths.HermesHome |> fun h -> (if isNull h then "" else h).TrimEnd('/', '\\')) + "/cache/images"

            let home = Validation.nonBlank paths.HermesHome

            match home with
            | Some h when isUnder h full && not (isUnder cache full) ->
                Error(
                    sprintf
                        "refusing to read '%s': it is inside $HERMES_HOME (%s), where only cache/images/ may be used as a source"
                        shown
                        (TerminalText.sanitizeWith 200 h)
                )
            | _ ->
                match paths.CredentialStores |> List.tryFind (fun store -> isUnder store full) with
                | Some store ->
                    Error(
                        sprintf
                            "refusing to read '%s': it is a credential store (%s), never used as a source image"
                            shown
                            (TerminalText.sanitizeWith 200 store)
                    )
                | None -> Ok()
