namespace Hermes.Domain

open System
open System.Globalization
open System.Text.Json
open System.Text.Json.Nodes

/// How an image in the cache was made: written next to it as NAME.json.
type Provenance =
    {
        Prompt: string
        RevisedPrompt: string option
        Provider: string
        Model: string
        PixelSize: string option
        RequestId: string option
        Sha256: string
        Usage: (string * int64) list
        CreatedUtc: DateTime
        /// How many source images an edit used; None for a plain generation.
        SourceCount: int option
        /// The published price of this image in US dollars (Prices.perImage); None when no price is published.
        EstimatedCost: decimal option
    }

/// One image file of the cache, as pruning sees it.
type CachedFile =
    {
        Name: string
        /// The image and its sidecar together.
        Bytes: int64
        WrittenUtc: DateTime
    }

/// The cache's limits; None means no limit of that kind.
type CacheLimits =
    {
        MaxAge: TimeSpan option
        MaxBytes: int64 option
    }

/// The sidecar's JSON shape (snake_case, one object), both ways.
module Provenance =

    /// "foo.png" → "foo.json": the sidecar's file name.
    let sidecarName (imageName: string) =
        match imageName.LastIndexOf '.' with
        | -1 -> imageName + ".json"
        | dot -> imageName.Substring(0, dot) + ".json"

    /// The record with the digest of the file as written.
    let withSha256 (sha256: string) (p: Provenance) = { p with Sha256 = sha256 }

    let private optional (value: string option) : JsonNode =
        match value with
        | Some v -> JsonValue.Create v
        | None -> null

    let toJson (p: Provenance) : string =
        let usage = JsonObject()

        for key, count in p.Usage do
            usage[key] <- JsonValue.Create count

        let node = JsonObject()
        node["prompt"] <- JsonValue.Create p.Prompt
        node["revised_prompt"] <- optional p.RevisedPrompt
        node["provider"] <- JsonValue.Create p.Provider
        node["model"] <- JsonValue.Create p.Model
        node["pixel_size"] <- optional p.PixelSize
        node["request_id"] <- optional p.RequestId
        node["sha256"] <- JsonValue.Create p.Sha256
        node["usage"] <- usage
        node["created_at"] <- JsonValue.Create(p.CreatedUtc.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture))
        node["source_count"] <- (match p.SourceCount with
                                 | Some n -> JsonValue.Create n
                                 | None -> null)
        node["estimated_cost"] <- (match p.EstimatedCost with
                                   | Some usd -> JsonValue.Create usd
                                   | None -> null)
        node.ToJsonString(JsonSerializerOptions(WriteIndented = true))

    let private textOf (node: JsonNode) (name: string) =
        match node[name] with
        | :? JsonValue as v when v.GetValueKind() = JsonValueKind.String -> Some(v.GetValue<string>())
        | _ -> None

    /// The sidecar read back; Error names what is missing. Unknown fields are ignored.
    let ofJson (text: string) : Result<Provenance, string> =
        try
            match JsonNode.Parse text with
            | :? JsonObject as node ->
                let created =
                    textOf node "created_at"
                    |> Option.bind (fun s ->
                        match
                            DateTime.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal ||| DateTimeStyles.AssumeUniversal)
                        with
                        | true, t -> Some t
                        | _ -> None)

                match textOf node "prompt", textOf node "provider", textOf node "model", created with
                | Some prompt, Some provider, Some model, Some created ->
                    Ok
                        {
                            Prompt = prompt
                            RevisedPrompt = textOf node "revised_prompt"
                            Provider = provider
                            Model = model
                            PixelSize = textOf node "pixel_size"
                            RequestId = textOf node "request_id"
                            Sha256 = textOf node "sha256" |> Option.defaultValue ""
                            Usage =
                                match node["usage"] with
                                | :? JsonObject as u ->
                                    [
                                        for KeyValue(k, v) in u do
                                            match v with
                                            | :? JsonValue as n when n.GetValueKind() = JsonValueKind.Number -> yield k, n.GetValue<int64>()
                                            | _ -> ()
                                    ]
                                | _ -> []
                            CreatedUtc = created
                            SourceCount =
                                match node["source_count"] with
                                | :? JsonValue as n when n.GetValueKind() = JsonValueKind.Number -> Some(n.GetValue<int>())
                                | _ -> None
                            EstimatedCost =
                                match node["estimated_cost"] with
                                | :? JsonValue as n when n.GetValueKind() = JsonValueKind.Number -> Some(n.GetValue<decimal>())
                                | _ -> None
                        }
                | _ -> Error "the sidecar lacks prompt, provider, model or created_at"
            | _ -> Error "the sidecar is not a JSON object"
        with :? JsonException as e ->
            Error("the sidecar is not JSON: " + e.Message)

/// `--older-than 30d` and `--max-size 2GB`: the units people type.
module CacheUnits =

    let private split (text: string) =
        let t = (if isNull text then "" else text).Trim()
        let digits = t |> Seq.takeWhile Char.IsAsciiDigit |> Seq.length
        t.Substring(0, digits), t.Substring(digits).Trim().ToLowerInvariant()

    let private number (digits: string) =
        match Int64.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture) with
        | true, n when n > 0L -> Some n
        | _ -> None

    /// "30d", "12h", "45m", "2w": a positive whole number and one unit.
    let parseDuration (text: string) : Result<TimeSpan, string> =
        let digits, unit = split text

        let perUnit =
            match unit with
            | "m" -> Some(TimeSpan.FromMinutes 1.0)
            | "h" -> Some(TimeSpan.FromHours 1.0)
            | "d" -> Some(TimeSpan.FromDays 1.0)
            | "w" -> Some(TimeSpan.FromDays 7.0)
            | _ -> None

        match number digits, perUnit with
        | Some n, Some u when n <= 36500L * 24L * 60L -> Ok(TimeSpan.FromTicks(u.Ticks * n))
        | _ -> Error $"invalid duration '{text}': allowed is a positive whole number with m, h, d or w (e.g. 30d, 12h)"

    /// "2GB", "500MB", "64KB", "100B": a positive whole number and one unit, powers of 1024.
    let parseSize (text: string) : Result<int64, string> =
        let digits, unit = split text

        let perUnit =
            match unit with
            | "b" -> Some 1L
            | "kb"
            | "k" -> Some 1024L
            | "mb"
            | "m" -> Some(1024L * 1024L)
            | "gb"
            | "g" -> Some(1024L * 1024L * 1024L)
            | "tb"
            | "t" -> Some(1024L * 1024L * 1024L * 1024L)
            | _ -> None

        match number digits, perUnit with
        | Some n, Some u when n <= Int64.MaxValue / u -> Ok(n * u)
        | _ -> Error $"invalid size '{text}': allowed is a positive whole number with B, KB, MB, GB or TB (e.g. 2GB, 500MB)"

    /// Bytes as people read them: 1.5 MB.
    let showSize (bytes: int64) =
        let rec go (value: float) (units: string list) =
            match units with
            | _ :: more when value >= 1024.0 && not more.IsEmpty -> go (value / 1024.0) more
            | u :: _ -> $"%.1f{value} {u}"
            | [] -> $"%.1f{value} TB"

        if bytes < 1024L then
            $"{bytes} B"
        else
            go (float bytes / 1024.0) [ "KB"; "MB"; "GB"; "TB" ]

/// Which cache files to delete: a pure plan over file facts, the time and the limits.
module CachePrune =

    /// The defaults of image_gen.cache.max_age_days and image_gen.cache.max_total_mb.
    let defaults =
        {
            MaxAge = Some(TimeSpan.FromDays 30.0)
            MaxBytes = Some(2048L * 1024L * 1024L)
        }

    /// The files written at or after `since`, the start of the call that prunes: images a concurrent call (another request
    /// of the same count, another batch line, another process) may still be saving and about to report, spared like its own.
    let writtenSince (since: DateTime) (files: CachedFile list) : string list =
        files |> List.filter (fun f -> f.WrittenUtc >= since) |> List.map (fun f -> f.Name)

    /// Oldest first: files past the age limit, then the oldest until the rest fit the size limit.
    /// Never the newest file nor any name in `keep` (every image the call just made), so a save is never undone by its own prune.
    let plan (now: DateTime) (limits: CacheLimits) (keep: string list) (files: CachedFile list) : CachedFile list =
        let ordered = files |> List.sortBy (fun f -> f.WrittenUtc, f.Name)

        let protectedNames =
            set [
                yield! keep
                yield! ordered |> List.tryLast |> Option.map (fun f -> f.Name) |> Option.toList
            ]

        let candidates = ordered |> List.filter (fun f -> not (protectedNames.Contains f.Name))

        let expired =
            match limits.MaxAge with
            | Some age -> candidates |> List.filter (fun f -> now - f.WrittenUtc > age)
            | None -> []

        let expiredNames = expired |> List.map (fun f -> f.Name) |> set
        let remaining = ordered |> List.filter (fun f -> not (expiredNames.Contains f.Name))

        let oversize =
            match limits.MaxBytes with
            | None -> []
            | Some limit ->
                let total = remaining |> List.sumBy (fun f -> f.Bytes)

                remaining
                |> List.filter (fun f -> not (protectedNames.Contains f.Name))
                |> List.scan (fun (left, _) f -> left - f.Bytes, Some f) (total, None)
                |> List.pairwise
                |> List.takeWhile (fun ((before, _), _) -> before > limit)
                |> List.choose (fun (_, (_, f)) -> f)

        (expired @ oversize) |> List.sortBy (fun f -> f.WrittenUtc, f.Name)
