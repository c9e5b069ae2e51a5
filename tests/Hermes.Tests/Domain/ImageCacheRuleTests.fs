module Hermes.Tests.Domain.ImageCacheRuleTests

open System
open Xunit
open FsCheck
open FsCheck.FSharp
open FsCheck.Xunit
open Hermes.Domain

let private now = DateTime(2026, 11, 25, 12, 0, 0, DateTimeKind.Utc)

/// Distinct names, ages from 0 to 90 days, sizes up to 10 MB.
let private filesGen =
    gen {
        let! n = Gen.choose (0, 25)
        let! ages = Gen.listOfLength n (Gen.choose (0, 90 * 24))
        let! sizes = Gen.listOfLength n (Gen.choose (1, 10 * 1024 * 1024))

        return
            List.zip ages sizes
            |> List.mapi (fun i (hours, bytes) ->
                {
                    Name = sprintf "img_%02d.png" i
                    Bytes = int64 bytes
                    WrittenUtc = now.AddHours(-float hours)
                })
    }

let private limitsGen =
    gen {
        let! age = Gen.optionOf (Gen.choose (1, 60))
        let! mb = Gen.optionOf (Gen.choose (1, 100))

        return
            {
                MaxAge = age |> Option.map (fun d -> TimeSpan.FromDays(float d))
                MaxBytes = mb |> Option.map (fun m -> int64 m * 1024L * 1024L)
            }
    }

let private case =
    Arb.fromGen (
        gen {
            let! files = filesGen
            let! limits = limitsGen
            let! keep = Gen.subListOf (files |> List.map (fun f -> f.Name)) |> Gen.map List.ofSeq
            return files, limits, keep
        }
    )

let private newest (files: CachedFile list) =
    files |> List.sortBy (fun f -> f.WrittenUtc, f.Name) |> List.tryLast |> Option.map (fun f -> f.Name)

[<Property>]
let ``prune never deletes the newest file nor any file the call just made`` () =
    Prop.forAll case (fun (files, limits, keep) ->
        let deleted = CachePrune.plan now limits keep files |> List.map (fun f -> f.Name)
        let spared = keep @ (Option.toList (newest files))
        spared |> List.forall (fun n -> not (List.contains n deleted)))

[<Property>]
let ``the files written since a time are exactly those at or after it`` () =
    Prop.forAll case (fun (files, _, _) ->
        let since = now.AddHours -12.0
        let spared = CachePrune.writtenSince since files

        files
        |> List.forall (fun f -> List.contains f.Name spared = (f.WrittenUtc >= since)))

[<Property>]
let ``prune deletes oldest first and only files it was given, each once`` () =
    Prop.forAll case (fun (files, limits, keep) ->
        let deleted = CachePrune.plan now limits keep files
        let times = deleted |> List.map (fun f -> f.WrittenUtc)
        times = List.sort times && deleted |> List.forall (fun f -> List.contains f files) && (List.distinct deleted = deleted))

[<Property>]
let ``after a prune nothing spared is older than the age limit`` () =
    Prop.forAll case (fun (files, limits, keep) ->
        let deleted = CachePrune.plan now limits keep files
        let spared = keep @ (Option.toList (newest files))

        let left = files |> List.filter (fun f -> not (List.contains f deleted) && not (List.contains f.Name spared))

        match limits.MaxAge with
        | Some age -> left |> List.forall (fun f -> now - f.WrittenUtc <= age)
        | None -> true)

[<Property>]
let ``after a prune the cache fits the size limit whenever the protected files alone fit it`` () =
    Prop.forAll case (fun (files, limits, keep) ->
        let deleted = CachePrune.plan now limits keep files
        let left = files |> List.filter (fun f -> not (List.contains f deleted))
        let spared = keep @ (Option.toList (newest files)) |> List.distinct
        let protectedBytes = files |> List.filter (fun f -> List.contains f.Name spared) |> List.sumBy (fun f -> f.Bytes)

        match limits.MaxBytes with
        | Some limit when protectedBytes <= limit -> left |> List.sumBy (fun f -> f.Bytes) <= limit
        | _ -> true)

[<Property>]
let ``prune deletes nothing when the cache is within both limits`` () =
    Prop.forAll case (fun (files, _, keep) ->
        let limits = { MaxAge = Some(TimeSpan.FromDays 365.0); MaxBytes = Some Int64.MaxValue }
        CachePrune.plan now limits keep files = [])

[<Fact>]
let ``the size limit removes just enough of the oldest files`` () =
    let file name hours mb =
        { Name = name; Bytes = int64 mb * 1024L * 1024L; WrittenUtc = now.AddHours(-float hours) }

    let files = [ file "a" 3 4; file "b" 2 4; file "c" 1 4; file "d" 0 4 ]
    let plan = CachePrune.plan now { MaxAge = None; MaxBytes = Some(9L * 1024L * 1024L) } [] files
    Assert.Equal<string list>([ "a"; "b" ], plan |> List.map (fun f -> f.Name))

[<Property>]
let ``a duration is a positive whole number and m, h, d or w`` (n: PositiveInt) =
    let n = min n.Get 100000
    CacheUnits.parseDuration (sprintf "%dd" n) = Ok(TimeSpan.FromDays(float n))
    && CacheUnits.parseDuration (sprintf "%dh" n) = Ok(TimeSpan.FromHours(float n))
    && CacheUnits.parseDuration (sprintf "%dm" n) = Ok(TimeSpan.FromMinutes(float n))
    && CacheUnits.parseDuration (sprintf "%dw" n) = Ok(TimeSpan.FromDays(7.0 * float n))

[<Property>]
let ``a size is a positive whole number and B, KB, MB, GB or TB in powers of 1024`` (n: PositiveInt) =
    let n = int64 (min n.Get 100000)
    CacheUnits.parseSize (sprintf "%dB" n) = Ok n
    && CacheUnits.parseSize (sprintf "%dKB" n) = Ok(n * 1024L)
    && CacheUnits.parseSize (sprintf "%dmb" n) = Ok(n * 1024L * 1024L)
    && CacheUnits.parseSize (sprintf "%dGB" n) = Ok(n * 1024L * 1024L * 1024L)

[<Property>]
let ``anything else is refused in one line naming the value and what is allowed`` (text: NonNull<string>) =
    let t = text.Get

    let check (parsed: Result<'T, string>) (allowed: string) =
        match parsed with
        | Ok _ -> true
        | Error message -> message.Contains(sprintf "'%s'" t) && message.Contains allowed && not (message.Contains "\n" && not (t.Contains "\n"))

    check (CacheUnits.parseDuration t) "m, h, d or w" && check (CacheUnits.parseSize t) "B, KB, MB, GB or TB"

[<Theory>]
[<InlineData("0d")>]
[<InlineData("-3d")>]
[<InlineData("30")>]
[<InlineData("30 days")>]
[<InlineData("1.5h")>]
[<InlineData("")>]
[<InlineData("99999999999999999999d")>]
let ``durations that are not a positive whole number and one unit are errors`` (text: string) =
    Assert.True(Result.isError (CacheUnits.parseDuration text))

[<Theory>]
[<InlineData("0GB")>]
[<InlineData("2XB")>]
[<InlineData("2")>]
[<InlineData("1.5GB")>]
[<InlineData("99999999999TB")>]
let ``sizes that are not a positive whole number and one unit are errors`` (text: string) =
    Assert.True(Result.isError (CacheUnits.parseSize text))

let private provenanceGen =
    gen {
        let! prompt = ArbMap.defaults |> ArbMap.generate<NonNull<string>> |> Gen.map (fun s -> String.filter (Char.IsSurrogate >> not) s.Get)
        let! revised = Gen.optionOf (Gen.elements [ "a revised prompt"; "ünïcode ✓"; "\"quoted\"" ])
        let! provider = Gen.elements [ "xai"; "openai"; "fal"; "openai-codex" ]
        let! usage = Gen.listOf (Gen.zip (Gen.elements [ "input_tokens"; "output_tokens"; "total_tokens" ]) (Gen.choose (0, 100000)))
        let! seconds = Gen.choose (0, 100000000)
        let! sources = Gen.optionOf (Gen.choose (1, 16))
        let! millicents = Gen.optionOf (Gen.choose (1, 1000000))

        return
            {
                Prompt = prompt
                RevisedPrompt = revised
                Provider = provider
                Model = "model-1"
                PixelSize = Some "1024x768"
                RequestId = None
                Sha256 = String('a', 64)
                Usage = usage |> List.distinctBy fst |> List.map (fun (k, v) -> k, int64 v)
                CreatedUtc = DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddSeconds(float seconds)
                SourceCount = sources
                EstimatedCost = millicents |> Option.map (fun m -> decimal m / 100000m)
            }
    }

[<Property>]
let ``a sidecar reads back as the record it was written from`` () =
    Prop.forAll (Arb.fromGen provenanceGen) (fun p -> Provenance.ofJson (Provenance.toJson p) = Ok p)

[<Fact>]
let ``the sidecar is named for its image and carries the documented fields`` () =
    Assert.Equal("xai_grok_20261125_120000_ab12cd34.json", Provenance.sidecarName "xai_grok_20261125_120000_ab12cd34.png")

    let json =
        Provenance.toJson
            {
                Prompt = "a fox"
                RevisedPrompt = None
                Provider = "xai"
                Model = "grok-imagine-image"
                PixelSize = Some "1024x768"
                RequestId = None
                Sha256 = "00"
                Usage = [ "total_tokens", 7L ]
                CreatedUtc = now
                SourceCount = None
                EstimatedCost = Some 0.034m
            }

    let node = System.Text.Json.Nodes.JsonNode.Parse json

    for field in
        [ "prompt"; "revised_prompt"; "provider"; "model"; "pixel_size"; "request_id"; "sha256"; "usage"; "created_at"; "source_count"; "estimated_cost" ] do
        Assert.True((node.AsObject()).ContainsKey field, field)

    Assert.Equal("2026-11-25T12:00:00Z", node["created_at"].GetValue<string>())

[<Theory>]
[<InlineData("")>]
[<InlineData("[]")>]
[<InlineData("{\"prompt\":\"p\"}")>]
[<InlineData("{not json")>]
let ``a sidecar that is not a provenance object is an error, not an exception`` (text: string) =
    Assert.True(Result.isError (Provenance.ofJson text))
