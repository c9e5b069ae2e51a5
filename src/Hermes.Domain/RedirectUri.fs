namespace Hermes.Domain

open System

type LoopbackRedirect =
    {
        Host: string
        Port: int
        Path: string
    }

/// The OAuth redirect URI: http on 127.0.0.1 with an explicit port (RFC 8252 loopback).
module RedirectUri =

    let host = "127.0.0.1"
    let path = "/callback"

    /// The port xAI's public client is known to accept; an ephemeral port is the fallback.
    let preferredPort = 56121

    let make (port: int) = $"http://{host}:{port}{path}"

    let validate (uri: string) : Result<LoopbackRedirect, BadValue> =
        let bad () =
            Error
                {
                    Field = "redirect URI"
                    Value = (if isNull uri then "" else uri)
                    Allowed = [ $"http://{host}:<port>{path}" ]
                }

        match Validation.nonBlank uri with
        | None -> bad ()
        | Some value when value <> uri -> bad ()
        | Some value ->
            let prefix = "http://" + host + ":"

            if not (value.StartsWith(prefix, StringComparison.Ordinal)) then
                bad ()
            else
                let rest = value.Substring prefix.Length
                let slash = rest.IndexOf '/'
                let portText = if slash < 0 then rest else rest.Substring(0, slash)
                let pathPart = if slash < 0 then "" else rest.Substring slash

                match Int32.TryParse(portText, Globalization.NumberStyles.None, Globalization.CultureInfo.InvariantCulture) with
                | true, port when port >= 1 && port <= 65535 && string port = portText && pathPart = path ->
                    Ok
                        {
                            Host = host
                            Port = port
                            Path = path
                        }
                | _ -> bad ()
