namespace Hermes.Domain

open System
open System.Globalization

/// When a paid POST may be sent again: only when the provider certainly did not run it (trust.md, Money).
module RetryRule =

    let maxAttempts = 3

    /// The longest wait Hermes honours or chooses between attempts.
    let maxDelay = TimeSpan.FromSeconds 60.0

    /// 429 and 503 only: any other status may mean the image was generated (and paid for).
    let isRetryableStatus (status: int) = status = 429 || status = 503

    let private capped (delay: TimeSpan) =
        if delay > maxDelay then maxDelay else delay

    /// IMF-fixdate, obsolete RFC 850 and asctime forms (RFC 9110 §5.6.7).
    let private httpDateFormats =
        [|
            "r"
            "dddd, dd'-'MMM'-'yy HH':'mm':'ss 'GMT'"
            "ddd MMM d HH':'mm':'ss yyyy"
            "ddd MMM  d HH':'mm':'ss yyyy"
        |]

    /// Retry-After as delta-seconds or an HTTP-date relative to now, capped at 60 s; None when absent, unparseable or negative.
    let retryAfter (header: string option) (now: DateTimeOffset) =
        match header |> Option.bind Validation.nonBlank with
        | None -> None
        | Some value ->
            match Decimal.TryParse(value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture) with
            | true, seconds when seconds > 60m -> Some maxDelay
            | true, seconds -> Some(TimeSpan.FromSeconds(float seconds))
            | false, _ when String.forall Char.IsAsciiDigit value -> Some maxDelay // too many digits for a decimal
            | _ ->
                match
                    DateTimeOffset.TryParseExact(
                        value,
                        httpDateFormats,
                        CultureInfo.InvariantCulture,
                        DateTimeStyles.AssumeUniversal ||| DateTimeStyles.AllowWhiteSpaces
                    )
                with
                | true, date when date >= now -> Some(capped (date - now))
                | _ -> None

    /// Jittered exponential backoff for attempt 1, 2, ...: 2^(attempt-1) s times (1 + jitter), jitter in [0,1) from the caller, capped at 60 s.
    let backoff (attempt: int) (jitter: float) =
        let exponent = min 10 (max 1 attempt - 1)

        let jitter =
            if Double.IsNaN jitter || jitter < 0.0 then 0.0
            elif jitter >= 1.0 then 1.0
            else jitter

        capped (TimeSpan.FromSeconds(Math.Pow(2.0, float exponent) * (1.0 + jitter)))
