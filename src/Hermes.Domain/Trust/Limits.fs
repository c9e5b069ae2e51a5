namespace Hermes.Domain

/// Size caps on everything a provider or a server hands Hermes.
module Limits =

    /// 25 MiB: every image however it arrives (URL, b64_json, data URL, Codex result, edit input).
    let maxImageBytes = 26_214_400L

    /// 64 MiB per provider JSON body.
    let maxJsonBytes = 67_108_864L

    /// 48 MiB per SSE line (a Codex final image arrives as one base64 line).
    let maxSseLineBytes = 50_331_648

    let maxRedirects = 5

    /// Decoded byte count of a base64 payload of this many chars (upper bound), to refuse before decoding.
    let base64DecodedLength (chars: int64) =
        if chars <= 0L then
            0L
        else
            // Written so that no intermediate value overflows for chars up to Int64.MaxValue.
            chars / 4L * 3L + (if chars % 4L = 0L then 0L else 3L)
