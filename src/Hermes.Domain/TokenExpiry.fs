namespace Hermes.Domain

/// Access-token expiry from the JWT `exp` claim, against a clock the caller passes in.
module TokenExpiry =

    /// Refresh this many seconds before `exp`, as the reference does.
    let defaultSkewSeconds = 120L

    /// The `exp` claim in Unix seconds, when the token is a JWT that carries one.
    let expiresAt (token: string) = Jwt.tryInt64 [ "exp" ] token

    /// True when `exp` is within `skewSeconds` of `now` (or past). A token without a readable `exp`
    /// (opaque, not a JWT, no claim) is treated as not expiring: the server's 401 is the judge.
    let isExpiring (nowUnixSeconds: int64) (skewSeconds: int64) (token: string) =
        match expiresAt token with
        | Some exp -> exp - nowUnixSeconds <= max 0L skewSeconds
        | None -> false
