namespace Hermes.Domain

open System
open System.Security.Cryptography
open System.Text

type PkcePair = { Verifier: string; Challenge: string }

type AuthorizeRequest =
    {
        AuthorizationEndpoint: string
        ClientId: string
        RedirectUri: string
        Scope: string
        Challenge: string
        State: string
        Nonce: string
    }

/// RFC 7636 PKCE (S256) and the authorize URL, from random bytes the caller supplies.
module Pkce =

    let method = "S256"

    let base64Url (bytes: byte[]) =
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_')

    let private unreserved (c: char) =
        Char.IsAsciiLetterOrDigit c || c = '-' || c = '.' || c = '_' || c = '~'

    /// RFC 7636 §4.1: 43 to 128 characters of [A-Z a-z 0-9 - . _ ~].
    let isValidVerifier (verifier: string) =
        not (isNull verifier)
        && verifier.Length >= 43
        && verifier.Length <= 128
        && String.forall unreserved verifier

    let challengeOf (verifier: string) =
        base64Url (SHA256.HashData(Encoding.ASCII.GetBytes verifier))

    /// 32 to 96 random bytes make a verifier of 43 to 128 characters.
    let fromBytes (random: byte[]) : Result<PkcePair, BadValue> =
        let length = if isNull random then 0 else random.Length

        if length < 32 || length > 96 then
            Error
                {
                    Field = "PKCE random byte count"
                    Value = string length
                    Allowed = [ "32 to 96" ]
                }
        else
            let verifier = base64Url random

            Ok
                {
                    Verifier = verifier
                    Challenge = challengeOf verifier
                }

    /// state and nonce: at least 16 random bytes, base64url.
    let opaqueToken (random: byte[]) : Result<string, BadValue> =
        let length = if isNull random then 0 else random.Length

        if length < 16 then
            Error
                {
                    Field = "state/nonce random byte count"
                    Value = string length
                    Allowed = [ "16 or more" ]
                }
        else
            Ok(base64Url random)

    /// The authorize URL; `plan=generic` is required for loopback clients xAI has not allowlisted.
    let authorizeUrl (request: AuthorizeRequest) =
        let query =
            [
                "response_type", "code"
                "client_id", request.ClientId
                "redirect_uri", request.RedirectUri
                "scope", request.Scope
                "code_challenge", request.Challenge
                "code_challenge_method", method
                "state", request.State
                "nonce", request.Nonce
                "plan", "generic"
                "referrer", "hermes-agent"
            ]
            |> List.map (fun (k, v) -> k + "=" + Uri.EscapeDataString v)
            |> String.concat "&"

        let separator =
            if request.AuthorizationEndpoint.Contains '?' then
                "&"
            else
                "?"

        request.AuthorizationEndpoint + separator + query
