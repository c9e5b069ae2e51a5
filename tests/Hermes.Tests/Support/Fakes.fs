module Hermes.Tests.Support.Fakes

open System
open System.IO
open System.Text.Json.Nodes
open Hermes.Domain
open Hermes.Providers.Core
open Xunit

/// Bytes that start like a PNG, then `n` pseudo-random bytes.
let png (n: int) =
    let body = Array.zeroCreate<byte> n
    Random(n).NextBytes body
    Array.append [| 0x89uy; 0x50uy; 0x4Euy; 0x47uy; 0x0Duy; 0x0Auy; 0x1Auy; 0x0Auy |] body

let jpeg (n: int) =
    Array.append [| 0xFFuy; 0xD8uy; 0xFFuy; 0xE0uy |] (Array.create n 7uy)

let b64Response (bytes: byte[]) =
    sprintf """{"created":1,"data":[{"b64_json":"%s"}]}""" (Convert.ToBase64String bytes)

let urlResponse (url: string) =
    sprintf """{"created":1,"data":[{"url":"%s"}]}""" url

let success (result: ImageGenResult) = expectOk result

let failure (result: ImageGenResult) =
    match result with
    | :? ImageGenResult.Failure as f -> f
    | :? ImageGenResult.Success as s -> failwithf "expected failure, got image %s" s.Image
    | _ -> failwith "unknown result"

let json (text: string) = JsonNode.Parse(text)

/// The string at a path of property names.
let textAt (node: JsonNode) (path: string list) =
    (path |> List.fold (fun (n: JsonNode) (key: string) -> n.[key]) node).GetValue<string>()

/// A string field of a JSON object text.
let jsonField (text: string) (key: string) =
    (JsonNode.Parse text).[key].GetValue<string>()

/// The keys of a JSON object text, in order.
let jsonKeys (text: string) =
    (JsonNode.Parse text).AsObject() |> Seq.map _.Key |> List.ofSeq

/// Asserts that two JSON texts are the same document (key order included).
let assertJson (expected: string) (actual: string) =
    Assert.Equal(json(expected).ToJsonString(), json(actual).ToJsonString())

let assertLocalFile (home: TestHome) (path: string) (bytes: byte[]) =
    Assert.StartsWith(home.CacheDir, path)
    Assert.Equal<byte[]>(bytes, File.ReadAllBytes path)

/// An images answer (xAI/OpenAI shape) carrying each of these images as b64_json, in order.
let b64ResponseOf (images: byte[] list) =
    images
    |> List.map (fun bytes -> sprintf """{"b64_json":"%s"}""" (Convert.ToBase64String bytes))
    |> String.concat ","
    |> sprintf """{"created":1,"data":[%s]}"""

/// The images one request asks for: `n` of a JSON body, the `n` part of a multipart form; 1 when absent.
let askedImages (request: RecordedRequest) =
    let form =
        Text.RegularExpressions.Regex.Match(request.Body, "name=\"?n\"?\\r\\n(?:[^\\r\\n]+\\r\\n)*\\r\\n(\\d+)")

    if form.Success then
        int form.Groups[1].Value
    else
        try
            match (JsonNode.Parse request.Body)["n"] with
            | null -> 1
            | n -> n.GetValue<int>()
        with :? Text.Json.JsonException ->
            1

let private madeImages = ref 0

/// Answers as an honest images API does: as many distinct PNGs as the request's `n` asks for.
let answerAsked: Reply =
    fun request ctx ->
        let images =
            [
                for _ in 1 .. askedImages request -> png (100 + Threading.Interlocked.Increment(&madeImages.contents))
            ]

        Reply.json 200 (b64ResponseOf images) request ctx

/// Answers every images request with as many copies of `image` as its n asks for.
let answerEach (image: byte[]) : Reply =
    fun request ctx -> Reply.json 200 (b64ResponseOf (List.replicate (askedImages request) image)) request ctx
