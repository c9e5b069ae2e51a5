namespace Hermes.Domain

open System

/// What one request to the loopback callback (or one pasted redirect) means for a pending sign-in.
[<RequireQualifiedAccess>]
type CallbackVerdict =
    /// Ends the sign-in: the authorization code, or why there is none.
    | Finished of Result<string, AuthError>
    /// Not this sign-in's answer: refused (HTTP 400) and the sign-in keeps waiting; the reason is for the user.
    | Ignored of reason: string

/// The OAuth callback rules (trust.md): only a request carrying this sign-in's `state` can end it, with `code` or `error`.
module OAuthCallback =

    /// Longest query Hermes reads; a real redirect is well under 2 KiB.
    [<Literal>]
    let maxQueryLength = 8192

    /// Longest authorization code accepted when pasted on its own.
    let maxCodeLength = 2048

    let private decode (part: string) =
        Uri.UnescapeDataString(part.Replace('+', ' '))

    /// `a=1&b=2` (a leading `?` allowed) as a map; a repeated name makes the query ambiguous, so it is refused.
    let parseQuery (query: string) : Result<Map<string, string>, string> =
        let text = (if isNull query then "" else query).TrimStart('?')

        if text.Length > maxQueryLength then
            Error "the callback address is too long"
        else
            text.Split('&', StringSplitOptions.RemoveEmptyEntries)
            |> Array.map (fun pair ->
                match pair.IndexOf '=' with
                | -1 -> decode pair, ""
                | i -> decode (pair.Substring(0, i)), decode (pair.Substring(i + 1)))
            |> Array.fold
                (fun acc (key, value) ->
                    acc
                    |> Result.bind (fun (map: Map<string, string>) ->
                        if map.ContainsKey key then
                            Error $"the callback address repeats '{TerminalText.sanitizeWith 40 key}'"
                        else
                            Ok(map.Add(key, value))))
                (Ok Map.empty)

    /// The verdict on a callback's query: a missing or foreign state is ignored whatever else the query says;
    /// with the right state, `error` ends the sign-in as a denial (its text made safe to print) and `code` ends it with the code.
    let evaluate (expectedState: string) (query: Map<string, string>) : CallbackVerdict =
        let get key =
            query |> Map.tryFind key |> Option.bind Validation.nonBlank

        match Validation.nonBlank expectedState, get "state" with
        | _, None -> CallbackVerdict.Ignored "the address carries no state, so it cannot belong to this sign-in"
        | Some expected, Some state when state = expected ->
            match get "error", get "code" with
            | Some error, _ ->
                let description =
                    get "error_description"
                    |> Option.defaultValue ""
                    |> TerminalText.sanitize

                CallbackVerdict.Finished(Error(AuthError.UserDenied(TerminalText.sanitize error, description)))
            | None, Some code -> CallbackVerdict.Finished(Ok code)
            | None, None -> CallbackVerdict.Ignored "the address carries neither an authorization code nor an error"
        | _, Some _ -> CallbackVerdict.Ignored "the address carries the state of another sign-in"

    /// The verdict as a plain result, for callers outside F#: Ok with the sign-in's outcome, or Error with the reason it was ignored.
    let outcome =
        function
        | CallbackVerdict.Finished result -> Ok result
        | CallbackVerdict.Ignored reason -> Error reason

    /// `parseQuery` then `evaluate`; an unreadable query is ignored.
    let evaluateQuery (expectedState: string) (query: string) =
        match parseQuery query with
        | Ok map -> evaluate expectedState map
        | Error reason -> CallbackVerdict.Ignored reason

    let private isCodeChar (c: char) =
        Char.IsAsciiLetterOrDigit c || c = '-' || c = '_' || c = '.' || c = '~'

    /// A line the user pasted in a headless sign-in: the redirect URL (`http://127.0.0.1:PORT/callback?code=…&state=…`),
    /// its query alone, or the bare code that xAI shows on its page. URL and query forms pass `evaluate` exactly as on the
    /// loopback; a bare code has no state to check and is bound to this sign-in by its PKCE verifier.
    let parsePasted (expectedState: string) (pasted: string) : CallbackVerdict =
        match Validation.nonBlank pasted with
        | None -> CallbackVerdict.Ignored "nothing was pasted"
        | Some text ->
            let withoutFragment =
                match text.IndexOf '#' with
                | -1 -> text
                | i -> text.Substring(0, i)

            match withoutFragment.IndexOf '?' with
            | -1 when withoutFragment.Contains '=' -> evaluateQuery expectedState withoutFragment
            | -1 when
                withoutFragment.Length <= maxCodeLength
                && String.forall isCodeChar withoutFragment
                ->
                CallbackVerdict.Finished(Ok withoutFragment)
            | -1 -> CallbackVerdict.Ignored "paste the whole address from the browser's address bar, or the code xAI shows"
            | i -> evaluateQuery expectedState (withoutFragment.Substring(i + 1))
