namespace Hermes.Domain

/// Origins whose pages may call the loopback OAuth callback with CORS.
module OriginAllowlist =

    let allowed = [ "https://accounts.x.ai"; "https://auth.x.ai" ]

    /// The origin to echo in Access-Control-Allow-Origin, or None (no CORS headers, request refused).
    let corsOrigin (origin: string option) =
        match origin with
        | Some value when List.contains value allowed -> Some value
        | _ -> None
