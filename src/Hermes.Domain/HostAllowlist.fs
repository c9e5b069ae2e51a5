namespace Hermes.Domain

open System

/// Why an endpoint was refused before any token was sent to it.
type EndpointRejection = { Url: string; Reason: string }

/// Extra origins trusted exactly (scheme, host and port), for a local fake of accounts.x.ai; empty in production.
type EndpointPolicy = { TrustedOrigins: string list }

/// OAuth and API endpoints that may receive an xAI token: https on x.ai or a subdomain of it.
module HostAllowlist =

    let strict = { TrustedOrigins = [] }

    let private reject url reason = Error { Url = url; Reason = reason }

    let private isLdh (c: char) =
        (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c = '-'

    /// A host name made of non-empty ASCII letter/digit/hyphen labels (no trailing dot, no IDN, no IP tricks).
    let private validHostName (host: string) =
        host <> ""
        && host.Split('.')
           |> Array.forall (fun label ->
               label <> ""
               && label.Length <= 63
               && String.forall isLdh label
               && not (label.StartsWith '-')
               && not (label.EndsWith '-'))

    let isXaiHost (host: string) =
        let lowered = host.ToLowerInvariant()
        validHostName lowered && (lowered = "x.ai" || lowered.EndsWith ".x.ai")

    /// The origin "scheme://host[:port]" of an absolute URL as written, lower-cased; None when unparseable.
    let originOf (url: string) =
        match Validation.nonBlank url with
        | None -> None
        | Some value ->
            match value.IndexOf "://" with
            | -1 -> None
            | i ->
                let rest = value.Substring(i + 3)
                let stop = rest.IndexOfAny [| '/'; '?'; '#' |]
                let authority = if stop < 0 then rest else rest.Substring(0, stop)
                Some((value.Substring(0, i) + "://" + authority).ToLowerInvariant())

    /// Accepts `https://x.ai/...` or `https://<sub>.x.ai/...` (port 443 at most), or an exactly trusted origin.
    let check (policy: EndpointPolicy) (url: string) : Result<string, EndpointRejection> =
        let given = if isNull url then "" else url

        if
            given <> given.Trim()
            || given |> String.exists (fun c -> Char.IsControl c || c = ' ' || c = '\\')
        then
            reject given "contains whitespace, control characters or backslashes"
        else
            match originOf given with
            | Some origin when
                policy.TrustedOrigins
                |> List.exists (fun t -> t.TrimEnd('/').ToLowerInvariant() = origin)
                ->
                Ok given
            | _ ->
                if not (given.StartsWith("https://", StringComparison.OrdinalIgnoreCase)) then
                    reject given "must use https"
                else
                    let rest = given.Substring 8
                    let stop = rest.IndexOfAny [| '/'; '?'; '#' |]
                    let authority = if stop < 0 then rest else rest.Substring(0, stop)

                    if authority.Contains '@' then
                        reject given "must not carry user information"
                    else
                        let host, port =
                            match authority.LastIndexOf ':' with
                            | -1 -> authority, None
                            | colon -> authority.Substring(0, colon), Some(authority.Substring(colon + 1))

                        match port with
                        | Some p when p <> "443" -> reject given "must use the default https port"
                        | _ when not (isXaiHost host) -> reject given "host must be x.ai or a subdomain of x.ai"
                        | _ -> Ok given
