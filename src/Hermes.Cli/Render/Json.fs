/// Exactly one JSON document on stdout per run (schema: docs/cli-json.md), written field by field with
/// Utf8JsonWriter: no reflection, so it stays trim- and AOT-safe, and the snake_case names are the ones people read.
module Hermes.Cli.Render.Json

open System
open System.IO
open System.Text
open System.Text.Encodings.Web
open System.Text.Json
open Hermes.Cli
open Hermes.Cli.Commands
open Hermes.Domain

/// Readable JSON: indented, no \u escapes for quotes, backticks or non-ASCII text.
let private options =
    JsonWriterOptions(Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping)

let private document (write: Utf8JsonWriter -> unit) =
    use buffer = new MemoryStream()

    do
        use writer = new Utf8JsonWriter(buffer, options)
        write writer

    Console.Out.WriteLine(Encoding.UTF8.GetString(buffer.ToArray()))

let private text (w: Utf8JsonWriter) (name: string) (value: string option) =
    match value with
    | Some v -> w.WriteString(name, v)
    | None -> w.WriteNull name

let private strings (w: Utf8JsonWriter) (name: string) (values: string list) =
    w.WriteStartArray name
    values |> List.iter w.WriteStringValue
    w.WriteEndArray()

let private obj (w: Utf8JsonWriter) (fields: unit -> unit) =
    w.WriteStartObject()
    fields ()
    w.WriteEndObject()

/// The fields every unsuccessful document carries.
let private unsuccessful (w: Utf8JsonWriter) (error: string) (errorType: string) (exitCode: int) =
    w.WriteBoolean("success", false)
    w.WriteString("error", error)
    w.WriteString("error_type", errorType)
    w.WriteNumber("exit_code", exitCode)

let failure (failure: CliError) =
    document (fun w -> obj w (fun () -> unsuccessful w (CliError.message failure) (CliError.errorType failure) (CliError.exitCode failure)))

let private generated (w: Utf8JsonWriter) (result: Generate.GenerateResult) =
    obj w (fun () ->
        let code = Generate.exitCode result

        match Generate.problem result with
        | Some(error, errorType) -> unsuccessful w error errorType code
        | None ->
            w.WriteBoolean("success", true)
            w.WriteNumber("exit_code", code)

        text w "image" (List.tryHead result.Images)
        strings w "images" result.Images
        w.WriteStartArray "failures"

        for f in result.Failures do
            obj w (fun () ->
                w.WriteString("error", f.Error)
                w.WriteString("error_type", ErrorKind.toWire f.Kind))

        w.WriteEndArray()
        text w "provider" result.Provider
        text w "model" result.Model
        w.WriteString("prompt", result.Prompt)
        w.WriteString("aspect_ratio", result.AspectRatio)
        w.WriteStartObject "extras"

        for name, value in result.Extras do
            match value with
            | Generate.Extra.Text s -> w.WriteString(name, s)
            | Generate.Extra.Flag b -> w.WriteBoolean(name, b)
            | Generate.Extra.Number n -> w.WriteNumber(name, n)
            | Generate.Extra.Counts counts ->
                w.WriteStartObject name

                for key, count in counts do
                    w.WriteNumber(key, count)

                w.WriteEndObject()

        w.WriteEndObject())

/// A small success document: "success": true and the given fields.
let private succeeded (w: Utf8JsonWriter) (fields: unit -> unit) =
    obj w (fun () ->
        w.WriteBoolean("success", true)
        fields ())

let private usd (w: Utf8JsonWriter) (name: string) (estimate: Estimate) =
    match estimate with
    | Estimate.Usd amount -> w.WriteNumber(name, amount)
    | Estimate.Unknown _ -> w.WriteNull name

let private planned (w: Utf8JsonWriter) (plan: Generate.Plan) =
    succeeded w (fun () ->
        w.WriteNumber("exit_code", ExitCode.ok)
        w.WriteBoolean("dry_run", true)
        w.WriteString("provider", plan.Provider)
        w.WriteString("model", plan.Model)
        w.WriteString("prompt", plan.Prompt)
        w.WriteString("aspect_ratio", plan.AspectRatio)
        text w "resolution" plan.Resolution
        w.WriteNumber("count", plan.Count)
        w.WritePropertyName "requests"
        w.WriteStartArray()

        for images in plan.Requests do
            w.WriteNumberValue images

        w.WriteEndArray()

        match plan.Request with
        | Ok request ->
            w.WritePropertyName "request"

            obj w (fun () ->
                w.WriteString("endpoint", request.Endpoint)
                w.WriteString("encoding", request.Encoding)
                w.WritePropertyName "body"
                request.Body.WriteTo w)

            w.WriteNull "request_error"
        | Error why ->
            w.WriteNull "request"
            w.WriteString("request_error", why)

        usd w "estimated_cost" plan.Total
        usd w "estimated_cost_each" plan.Each

        text
            w
            "cost_note"
            (match plan.Total with
             | Estimate.Unknown reason -> Some reason
             | Estimate.Usd _ -> None))

let private batched (w: Utf8JsonWriter) (summary: Batch.Summary) =
    obj w (fun () ->
        let code = Batch.exitCode summary

        match Batch.problem summary with
        | Some(error, errorType) -> unsuccessful w error errorType code
        | None ->
            w.WriteBoolean("success", true)
            w.WriteNumber("exit_code", code)

        w.WriteString("file", summary.File)
        w.WriteString("results", summary.Results)
        w.WriteNumber("lines", summary.Lines)
        w.WriteNumber("done", Batch.doneCount summary)
        w.WriteNumber("failed", Batch.failedCount summary)
        w.WriteNumber("cancelled", Batch.cancelledCount summary)
        w.WriteNumber("skipped", summary.Skipped)
        w.WriteStartArray "failures"

        for r in summary.Finished do
            match r.Problem with
            | Some(error, errorType) ->
                obj w (fun () ->
                    w.WriteNumber("line", r.Line)
                    text w "id" r.Id
                    w.WriteString("error_type", errorType)
                    w.WriteString("error", error))
            | None -> ()

        w.WriteEndArray())

let private providers (w: Utf8JsonWriter) (result: Providers.ProvidersResult) =
    obj w (fun () ->
        w.WriteStartArray "providers"

        for p in result.Providers do
            obj w (fun () ->
                w.WriteString("key", p.Key)
                w.WriteString("name", p.Name)
                w.WriteString("display_name", p.DisplayName)
                w.WriteBoolean("available", p.Missing.IsNone)
                text w "reason" p.Missing
                w.WriteString("default_model", p.DefaultModel)
                strings w "models" p.Models
                w.WritePropertyName "setup"

                obj w (fun () ->
                    w.WriteString("name", p.Setup.Name)
                    w.WriteString("badge", p.Setup.Badge)
                    w.WriteString("tag", p.Setup.Tag)
                    w.WriteStartArray "env_vars"

                    for v in p.Setup.EnvVars do
                        obj w (fun () ->
                            w.WriteString("key", v.Key)
                            w.WriteString("prompt", v.Prompt)
                            w.WriteString("url", v.Url))

                    w.WriteEndArray()))

        w.WriteEndArray()
        w.WritePropertyName "dispatch"

        obj w (fun () ->
            let d = result.Dispatch
            w.WriteString("dispatch_kind", d.DispatchKind)
            text w "provider_name" d.ProviderName
            text w "model" d.Model
            w.WriteBoolean("ready", Result.isOk d.Ready)

            text
                w
                "error"
                (match d.Ready with
                 | Ok _ -> None
                 | Error e -> Some e))

        strings w "warnings" result.Warnings)

let private models (w: Utf8JsonWriter) (result: Models.ModelsResult) =
    w.WriteStartArray()

    for m in result.Models do
        obj w (fun () ->
            w.WriteString("provider", m.Provider)
            w.WriteString("id", m.Id)
            w.WriteString("display", m.Display)
            w.WriteString("speed", m.Speed)
            w.WriteString("strengths", m.Strengths)
            w.WriteBoolean("default", m.Default)
            w.WriteBoolean("curated", m.Curated)
            w.WriteNumber("max_source_images", m.Edit |> Option.map _.MaxSources |> Option.defaultValue 0)
            w.WriteBoolean("mask", m.Edit |> Option.exists _.Mask))

    w.WriteEndArray()

let private accounts (w: Utf8JsonWriter) (accounts: Auth.Account list) =
    w.WriteStartArray()

    for a in accounts do
        obj w (fun () ->
            w.WriteNumber("number", a.Number)
            w.WriteString("provider", XaiOAuth.providerId)
            w.WriteString("source", a.Source)
            w.WriteString("label", a.Label)
            w.WriteString("token", a.Token)
            text w "expires_at" a.ExpiresAt
            w.WriteBoolean("expired", a.Expired)
            w.WriteString("last_refresh", a.LastRefresh))

    w.WriteEndArray()

let private iso (t: DateTime) =
    t.ToString("yyyy-MM-ddTHH:mm:ssZ", Globalization.CultureInfo.InvariantCulture)

let private provenance (w: Utf8JsonWriter) (p: Provenance) =
    w.WriteString("prompt", p.Prompt)
    text w "revised_prompt" p.RevisedPrompt
    w.WriteString("provider", p.Provider)
    w.WriteString("model", p.Model)
    text w "pixel_size" p.PixelSize
    text w "request_id" p.RequestId
    w.WriteString("sha256", p.Sha256)
    w.WriteString("created_at", iso p.CreatedUtc)

let private cached (w: Utf8JsonWriter) (entries: Cache.Entry list) =
    for e in entries do
        obj w (fun () ->
            w.WriteString("path", e.Path)
            w.WriteNumber("bytes", e.Bytes)
            w.WriteString("written_at", iso e.WrittenUtc)
            text w "provider" (e.Provenance |> Option.map (fun p -> p.Provider))
            text w "model" (e.Provenance |> Option.map (fun p -> p.Model))
            text w "prompt" (e.Provenance |> Option.map (fun p -> p.Prompt)))

let reply (reply: Reply) =
    document (fun w ->
        match reply with
        | Reply.Help help -> succeeded w (fun () -> w.WriteString("help", help))
        | Reply.Version version -> succeeded w (fun () -> w.WriteString("version", version))
        | Reply.Served -> succeeded w ignore
        | Reply.Generated result -> generated w result
        | Reply.Planned plan -> planned w plan
        | Reply.Batched summary -> batched w summary
        | Reply.Providers result ->
            result.Warnings |> List.iter Terminal.warn
            providers w result
        | Reply.Models result ->
            result.Warnings |> List.iter Terminal.warn
            models w result
        | Reply.ConfigListed listing ->
            succeeded w (fun () ->
                w.WriteString("path", listing.Path)
                w.WriteStartArray "values"

                for e in listing.Entries do
                    obj w (fun () ->
                        w.WriteString("key", e.Key)
                        w.WriteString("value", e.Value)
                        w.WriteBoolean("known", e.Known))

                w.WriteEndArray())
        | Reply.ConfigValue value ->
            succeeded w (fun () ->
                w.WriteString("key", value.Key)
                w.WriteString("value", value.Value)
                w.WriteString("path", value.Path))
        | Reply.ConfigWritten written ->
            succeeded w (fun () ->
                w.WriteString("key", written.Key)
                w.WriteString("value", written.Value)
                w.WriteString("path", written.Path)
                w.WriteBoolean("known", not written.Unknown)
                text w "set_aside" written.SetAside)
        | Reply.ConfigRemoved removed ->
            succeeded w (fun () ->
                w.WriteString("key", removed.Key)
                w.WriteString("path", removed.Path)
                w.WriteBoolean("removed", removed.Removed))
        | Reply.SignedIn signedIn ->
            succeeded w (fun () ->
                w.WriteString("provider", XaiOAuth.providerId)
                w.WriteNumber("number", signedIn.Number)
                w.WriteString("token", signedIn.Token))
        | Reply.Accounts all -> accounts w all
        | Reply.SignedOut removed ->
            succeeded w (fun () ->
                w.WriteString("provider", XaiOAuth.providerId)
                w.WriteNumber("number", removed.Number)
                w.WriteString("source", removed.Source))
        | Reply.CacheListed listing ->
            succeeded w (fun () ->
                w.WriteString("directory", listing.Directory)
                w.WriteNumber("total_bytes", listing.Images |> List.sumBy (fun i -> i.Bytes))
                w.WriteStartArray "images"
                cached w listing.Images
                w.WriteEndArray())
        | Reply.CachePruned pruned ->
            succeeded w (fun () ->
                w.WriteString("directory", pruned.Directory)
                w.WriteStartArray "removed"
                cached w pruned.Removed
                w.WriteEndArray()
                w.WriteNumber("freed_bytes", pruned.Removed |> List.sumBy (fun r -> r.Bytes))
                w.WriteNumber("kept", pruned.Kept)
                w.WriteNumber("kept_bytes", pruned.KeptBytes))
        | Reply.History items ->
            succeeded w (fun () ->
                w.WriteStartArray "images"

                for i in items do
                    obj w (fun () ->
                        w.WriteString("path", i.Path)
                        provenance w i.Provenance)

                w.WriteEndArray()))
