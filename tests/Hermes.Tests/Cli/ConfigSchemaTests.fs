module Hermes.Tests.Cli.ConfigSchemaTests

open System
open System.Globalization
open Xunit
open FsCheck
open FsCheck.FSharp
open FsCheck.Xunit
open Hermes.Cli.Config

let known: Schema.Known =
    {
        Providers =
            [
                "fal", [ "fal-ai/flux-2/klein/9b"; "fal-ai/flux-2-pro" ]
                "xai", [ "grok-imagine-image" ]
                "openai", [ "gpt-image-2-low"; "gpt-image-2-medium" ]
            ]
        Endpoints = [ "my-gateway" ]
    }

let private verdict key value =
    match Schema.check known false key value with
    | Ok _ -> "ok"
    | Error refusal -> Schema.Refusal.message refusal

[<Theory>]
[<InlineData("image_gen.provider", "xai", "ok")>]
[<InlineData("image_gen.provider", "my-gateway", "ok")>]
[<InlineData("image_gen.provider",
             "xia",
             "invalid image_gen.provider 'xia': allowed values are fal, xai, openai, my-gateway; did you mean 'xai'?")>]
[<InlineData("image_gen.model", "fal-ai/flux-2-pro", "ok")>]
[<InlineData("image_gen.model",
             "fal-ai/flux-2-pr",
             "invalid image_gen.model 'fal-ai/flux-2-pr': allowed values are a model id listed by `hermes models`; did you mean 'fal-ai/flux-2-pro'?")>]
[<InlineData("image_gen.xai.model", "grok-imagine-image", "ok")>]
[<InlineData("image_gen.xai.model",
             "gpt-image-2-low",
             "invalid image_gen.xai.model 'gpt-image-2-low': allowed values are grok-imagine-image")>]
[<InlineData("image_gen.use_gateway", "true", "ok")>]
[<InlineData("image_gen.use_gateway", "yes", "invalid image_gen.use_gateway 'yes': allowed values are true, false")>]
[<InlineData("image_gen.xai.resolution", "2k", "ok")>]
[<InlineData("image_gen.xai.resolution", "2K", "invalid image_gen.xai.resolution '2K': allowed values are 1k, 2k; did you mean '2k'?")>]
[<InlineData("image_gen.timeout", "90", "ok")>]
[<InlineData("image_gen.timeout", "0.5", "ok")>]
[<InlineData("image_gen.timeout", "0", "invalid image_gen.timeout '0': allowed values are a positive number of seconds")>]
[<InlineData("image_gen.timeout", "1e3", "invalid image_gen.timeout '1e3': allowed values are a positive number of seconds")>]
[<InlineData("image_gen.cache.max_age_days", "30", "ok")>]
[<InlineData("image_gen.cache.max_age_days",
             "-1",
             "invalid image_gen.cache.max_age_days '-1': allowed values are a positive whole number of days")>]
[<InlineData("image_gen.cache.max_total_mb", "2048", "ok")>]
[<InlineData("image_gen.cache.max_total_mb",
             "2GB",
             "invalid image_gen.cache.max_total_mb '2GB': allowed values are a positive whole number of megabytes")>]
[<InlineData("image_gen.endpoints.other.base_url", "https://gateway.example/v1", "ok")>]
[<InlineData("image_gen.endpoints.other.base_url",
             "gateway.example",
             "invalid image_gen.endpoints.other.base_url 'gateway.example': allowed values are an absolute http(s) URL without user info, query or fragment, such as https://gateway.example/v1")>]
[<InlineData("image_gen.endpoints.other.base_url",
             "https://gateway.example/v1?key=1",
             "invalid image_gen.endpoints.other.base_url 'https:…': allowed values are an absolute http(s) URL without user info, query or fragment, such as https://gateway.example/v1")>]
[<InlineData("image_gen.endpoints.openai.base_url",
             "https://gateway.example/v1",
             "invalid endpoint name 'openai': allowed values are up to 64 letters, digits, '-' and '_', other than fal, xai, openai, openai-codex, gemini, nous")>]
[<InlineData("image_gen.endpoints.other.key_env", "MY_GATEWAY_KEY", "ok")>]
[<InlineData("image_gen.endpoints.other.key_env",
             "sk-123",
             "invalid image_gen.endpoints.other.key_env '…': allowed values are the name of an environment variable that holds the key, such as MY_GATEWAY_KEY (never the key itself)")>]
[<InlineData("image_gen.endpoints.other.api_version", "2025-04-01-preview", "ok")>]
[<InlineData("image_gen.endpoints.other.kind",
             "Azure",
             "invalid image_gen.endpoints.other.kind 'Azure': allowed values are openai, azure; did you mean 'azure'?")>]
[<InlineData("image_gen.endpoints.other.kind", "azure", "ok")>]
[<InlineData("image_gen.endpoints.other.models", "flux-pro, seedream-4", "ok")>]
[<InlineData("image_gen.endpoints.other.models",
             " , ",
             "invalid image_gen.endpoints.other.models '': allowed values are one or more model ids of letters, digits, '.', '-', '_', '/', ':' (the first is the default)")>]
let ``each key Hermes reads checks its value and names the allowed ones`` (key: string, value: string, expected: string) =
    Assert.Equal(expected, verdict key value)

[<Property>]
let ``cache sizes and ages accept exactly the positive whole numbers`` (n: int) =
    [ "image_gen.cache.max_age_days"; "image_gen.cache.max_total_mb" ]
    |> List.forall (fun key -> (verdict key (string n) = "ok") = (n > 0))

[<Property>]
let ``the timeout accepts exactly the positive numbers of seconds`` (n: NormalFloat) =
    let text = n.Get.ToString("0.###", CultureInfo.InvariantCulture)
    let value = Double.Parse(text, CultureInfo.InvariantCulture)
    (verdict "image_gen.timeout" text = "ok") = (value > 0.0)

let private segment =
    Gen.elements [ 'a' .. 'z' ]
    |> Gen.nonEmptyListOf
    |> Gen.map (List.truncate 10 >> Array.ofList >> String)

[<Property>]
let ``a key Hermes does not read is refused unless forced, and forcing writes it as unknown`` () =
    Prop.forAll (Arb.fromGen (Gen.zip segment segment)) (fun (a, b) ->
        let key = sprintf "zz%s.%s" a b

        match Schema.check known false key "v", Schema.check known true key "v" with
        | Error(Schema.Refusal.UnknownKey(k, _, _)), Ok None -> k = key
        | _ -> false)

[<Fact>]
let ``a typo of a key suggests the key, an endpoint's keys included`` () =
    Assert.Equal(
        "unknown config key 'image_gen.provder'; did you mean 'image_gen.provider'? (--force writes it anyway)",
        verdict "image_gen.provder" "xai"
    )

    Assert.Contains("did you mean 'image_gen.endpoints.my-gateway.base_url'?", verdict "image_gen.endpoints.my-gateway.base_ur" "x")
    Assert.StartsWith("unknown config key 'agent.name': Hermes reads image_gen.provider, image_gen.model", verdict "agent.name" "x")
    Assert.Contains("image_gen.endpoints.<name>.base_url", verdict "agent.name" "x")

[<Fact>]
let ``a key that is not dotted names is refused even with --force`` () =
    for key in [ "image gen"; "image_gen..provider"; ""; "image_gen.provider." ] do
        match Schema.check known true key "x" with
        | Error(Schema.Refusal.BadKey k) -> Assert.Equal(key, k)
        | other -> failwithf "accepted %s: %A" key other

[<Fact>]
let ``a list value is stored as its trimmed items`` () =
    Assert.Equal<string list>([ "flux-pro"; "seedream-4" ], Schema.listItems " flux-pro ,seedream-4, ")
    Assert.Equal(Some Schema.Shape.List, Schema.find known "image_gen.endpoints.any.models" |> Option.map _.Shape)
