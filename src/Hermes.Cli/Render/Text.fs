/// Plain text: results on stdout (no escapes, so redirected output is clean), one-line errors and warnings on stderr.
module Hermes.Cli.Render.Text

open System
open Hermes.Cli
open Hermes.Domain

/// One line on stderr; a message never spans lines.
let error (message: string) =
    Console.Error.WriteLine("hermes: " + ApiError.oneLine 2000 message)

let failure (failure: CliError) = error (CliError.message failure)

/// Columns padded to their widest cell.
let private table (header: string list) (rows: string list list) =
    let all = header :: rows

    let widths =
        header
        |> List.mapi (fun i _ -> all |> List.map (fun r -> (List.item i r).Length) |> List.max)

    for row in all do
        row
        |> List.mapi (fun i cell ->
            if i = row.Length - 1 then
                cell
            else
                cell.PadRight(List.item i widths))
        |> String.concat "  "
        |> fun line -> Console.Out.WriteLine(line.TrimEnd())

let private line (text: string) = Console.Out.WriteLine text

let reply (reply: Reply) =
    match reply with
    | Reply.Help text -> line text
    | Reply.Version version -> line ("hermes " + version)
    | Reply.Served -> ()
    | Reply.Generated result ->
        result.Images |> List.iter line

        // On stderr, so stdout stays one path per line for scripts.
        match List.tryFind (fst >> (=) "source_count") result.Extras with
        | Some(_, Commands.Generate.Extra.Number n) ->
            Console.Error.WriteLine $"hermes: source_count %g{n} (images given to edit from)"
        | _ -> ()

        Commands.Generate.beyondCount result |> Option.iter error
        result.Failures |> List.iter (fun f -> error f.Error)

        if result.Images.IsEmpty && result.Failures.IsEmpty then
            error "the provider returned no image"
    | Reply.Planned plan ->
        let cost =
            match plan.Total, plan.Each with
            | Estimate.Usd total, Estimate.Usd each when plan.Count > 1 ->
                $"{Prices.show total} ({Prices.show each} each)"
            | Estimate.Usd total, _ -> Prices.show total
            | Estimate.Unknown reason, _ -> "unknown: " + reason

        table
            [ "provider"; plan.Provider ]
            [
                [ "model"; plan.Model ]
                [ "aspect"; plan.AspectRatio ]
                match plan.Resolution with
                | Some resolution -> [ "resolution"; resolution ]
                | None -> ()
                [ "count"; string plan.Count ]
                [
                    "requests"
                    match plan.Requests with
                    | [] -> "0"
                    | [ _ ] -> "1"
                    | several when List.forall ((=) 1) several -> $"%d{several.Length} (one image each)"
                    | several -> $"""{several.Length} ({several |> List.map string |> String.concat " + "} images)"""
                ]
                [ "estimated cost"; cost ]
            ]

        match plan.Request with
        | Ok request ->
            let first = if plan.Requests.Length > 1 then "first request" else "request"
            line $"{first}: POST {request.Endpoint} ({request.Encoding})"
            line (
                request.Body.ToJsonString(
                    Text.Json.JsonSerializerOptions(WriteIndented = true, Encoder = Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping)
                )
            )
        | Error why -> line ("request: " + why)

        Console.Error.WriteLine "hermes: nothing was sent (--dry-run)"
    | Reply.Batched summary ->
        for r in summary.Finished do
            match r.Problem with
            | Some(message, _) -> error $"line {r.Line}: {message}"
            | None -> ()

        line (
            $"{summary.Lines} lines: {Commands.Batch.doneCount summary} done, {Commands.Batch.failedCount summary + Commands.Batch.cancelledCount summary} failed, {summary.Skipped} skipped; results in {summary.Results}"
        )
    | Reply.Providers result ->
        result.Warnings |> List.iter Terminal.warn

        table
            [ "NAME"; "DISPLAY NAME"; "AVAILABLE"; "DEFAULT MODEL"; "WHY NOT" ]
            [
                for p in result.Providers ->
                    [
                        p.Name
                        p.DisplayName
                        (if p.Missing.IsNone then "yes" else "no")
                        p.DefaultModel
                        Option.defaultValue "" p.Missing
                    ]
            ]

        match result.Dispatch.Ready with
        | Ok uses -> line ("\ngenerate uses: " + uses)
        | Error why -> line ("\ngenerate cannot run: " + why)
    | Reply.Models result ->
        result.Warnings |> List.iter Terminal.warn

        table
            [ "PROVIDER"; "MODEL"; "NAME"; "SPEED"; "DEFAULT" ]
            [
                for m in result.Models -> [ m.Provider; m.Id; m.Display; m.Speed; (if m.Default then "*" else "") ]
            ]
    | Reply.ConfigListed listing ->
        for e in listing.Entries do
            line $"{e.Key} = {e.Value}"
    | Reply.ConfigValue value -> line value.Value
    | Reply.ConfigWritten written ->
        written.SetAside
        |> Option.iter (fun aside -> Terminal.warn $"kept the unreadable config as {aside}")

        if written.Unknown then
            Terminal.warn $"'{written.Key}' is not a key Hermes reads; written because of --force"

        line $"{written.Key} = {written.Value}"
    | Reply.ConfigRemoved removed ->
        if removed.Removed then
            line $"unset {removed.Key}"
        else
            line $"{removed.Key} was not set"
    | Reply.SignedIn signedIn -> line $"signed in to xAI as entry {signedIn.Number} ({signedIn.Token})"
    | Reply.Accounts [] -> line "no sign-ins; run `hermes auth add xai-oauth`"
    | Reply.Accounts accounts ->
        line XaiOAuth.pickerLabel

        table
            [ "#"; "PROVIDER"; "SOURCE"; "TOKEN"; "EXPIRES" ]
            [
                for a in accounts ->
                    [
                        string a.Number
                        XaiOAuth.providerId
                        a.Source
                        a.Token
                        (match a.ExpiresAt with
                         | None -> "unknown"
                         | Some e when a.Expired -> e + " (expired)"
                         | Some e -> e)
                    ]
            ]
    | Reply.SignedOut removed -> line $"removed {XaiOAuth.providerId} entry {removed.Number} ({removed.Source})"
    | Reply.CacheListed listing when listing.Images.IsEmpty -> line ("no cached images in " + listing.Directory)
    | Reply.CacheListed listing ->
        table
            [ "WRITTEN (UTC)"; "SIZE"; "PROVIDER"; "MODEL"; "PATH" ]
            [
                for i in listing.Images ->
                    [
                        i.WrittenUtc.ToString("yyyy-MM-dd HH:mm:ss", Globalization.CultureInfo.InvariantCulture)
                        CacheUnits.showSize i.Bytes
                        (i.Provenance |> Option.map (fun p -> ApiError.oneLine 60 p.Provider) |> Option.defaultValue "-")
                        (i.Provenance |> Option.map (fun p -> ApiError.oneLine 80 p.Model) |> Option.defaultValue "-")
                        i.Path
                    ]
            ]

        line (
            $"{listing.Images.Length} images, {(CacheUnits.showSize (listing.Images |> List.sumBy (fun i -> i.Bytes)))}"
        )
    | Reply.CachePruned pruned ->
        pruned.Removed |> List.iter (fun r -> line ("removed " + r.Path))

        line (
            $"removed {pruned.Removed.Length} images ({(CacheUnits.showSize (pruned.Removed |> List.sumBy (fun r -> r.Bytes)))}); {pruned.Kept} left ({CacheUnits.showSize pruned.KeptBytes})"
        )
    | Reply.History [] -> line "no images with provenance yet; run `hermes generate`"
    | Reply.History items ->
        for i in items do
            let p = i.Provenance

            line (
                sprintf
                    "%s  %s · %s  %s\n  %s"
                    (p.CreatedUtc.ToString("yyyy-MM-dd HH:mm:ss", Globalization.CultureInfo.InvariantCulture))
                    (ApiError.oneLine 60 p.Provider)
                    (ApiError.oneLine 80 p.Model)
                    i.Path
                    (ApiError.oneLine 200 p.Prompt)
            )
