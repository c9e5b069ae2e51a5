/// reference-2026.md, xAI rows: the static catalog merged with the live list, image input per model, the stale-token 403.
module Hermes.Tests.Domain.XaiModelsTests

open Xunit
open FsCheck
open FsCheck.FSharp
open FsCheck.Xunit
open Hermes.Domain

[<Fact>]
let ``xAI catalog: the static catalog includes image 2.0, with grok-imagine-image the default`` () =
    Assert.Equal<string list>([ "grok-imagine-image"; "grok-imagine-image-quality"; "grok-imagine-image-2.0" ], XaiModels.staticIds)
    Assert.Equal("grok-imagine-image", XaiModels.defaultModel)
    Assert.Equal("grok-imagine-image-quality", XaiModels.qualityModel)

[<Theory>]
[<InlineData("""{"models":[{"id":"grok-imagine-image"},{"id":"grok-imagine-image-3"}]}""")>]
[<InlineData("""{"data":[{"id":"grok-imagine-image"},{"name":"grok-imagine-image-3"}]}""")>]
[<InlineData("""{"models":["grok-imagine-image","grok-imagine-image-3"]}""")>]
[<InlineData("""{"models":[{"name":"grok-imagine-image"},{"id":" grok-imagine-image-3 "},{"id":"grok-imagine-image"}]}""")>]
[<InlineData("""{"models":[{"id":"grok-imagine-image"},{"id":""},{"id":7},null,{"other":"x"},"grok-imagine-image-3"]}""")>]
[<InlineData("""[{"id":"grok-imagine-image"},{"id":"grok-imagine-image-3"}]""")>]
[<InlineData("""{"models":{"not":"an array"},"data":[{"id":"grok-imagine-image"},{"id":"grok-imagine-image-3"}]}""")>]
let ``xAI catalog: live ids come from models or data, by id or name`` (body: string) =
    Assert.Equal<string list>([ "grok-imagine-image"; "grok-imagine-image-3" ], XaiModels.parseLive body)

[<Theory>]
[<InlineData("")>]
[<InlineData(null)>]
[<InlineData("<html>502 Bad Gateway</html>")>]
[<InlineData("{\"models\":")>]
[<InlineData("{\"error\":\"unauthorized\"}")>]
[<InlineData("\"grok-imagine-image\"")>]
[<InlineData("42")>]
let ``xAI catalog: garbage yields no live ids`` (body: string) = Assert.Empty(XaiModels.parseLive body)

[<Property>]
let ``xAI catalog: parseLive and acceptsImageInput never throw`` (body: string) (model: string) =
    XaiModels.parseLive body |> ignore
    XaiModels.acceptsImageInput body model |> ignore
    true

[<Fact>]
let ``xAI catalog: an unknown live model appears after the static ones`` () =
    let live =
        XaiModels.parseLive """{"models":[{"id":"grok-imagine-image-3"},{"id":"grok-imagine-image"}]}"""

    Assert.Equal<string list>(
        [
            "grok-imagine-image"
            "grok-imagine-image-quality"
            "grok-imagine-image-2.0"
            "grok-imagine-image-3"
        ],
        XaiModels.merge XaiModels.staticIds live
    )

[<Property>]
let ``xAI catalog: the merge keeps the static list first, adds every live id once`` (staticIds: string list) (liveIds: string list) =
    let merged = XaiModels.merge staticIds liveIds
    let distinctStatic = List.distinct staticIds

    merged = List.distinct merged
    && List.truncate distinctStatic.Length merged = distinctStatic
    && liveIds |> List.forall (fun id -> List.contains id merged)
    && merged
       |> List.forall (fun id -> List.contains id staticIds || List.contains id liveIds)

let modalities =
    """{"models":[
        {"id":"grok-imagine-image","aliases":["grok-imagine-image-2026-03-02"],"input_modalities":["text","image"],"output_modalities":["image"]},
        {"id":"grok-imagine-image-2.0","input_modalities":["text"]},
        {"name":"grok-imagine-image-quality","input_modalities":["TEXT","IMAGE"]},
        {"id":"grok-imagine-image-3"}
    ]}"""

[<Theory>]
[<InlineData("grok-imagine-image", true)>]
[<InlineData("grok-imagine-image-2026-03-02", true)>]
[<InlineData("grok-imagine-image-quality", true)>]
[<InlineData("grok-imagine-image-2.0", false)>]
let ``xAI catalog: input_modalities say whether a model takes image input`` (model: string, expected: bool) =
    Assert.Equal(Some expected, XaiModels.acceptsImageInput modalities model)

[<Theory>]
[<InlineData("grok-imagine-image-3")>]
[<InlineData("not-listed")>]
[<InlineData("")>]
let ``xAI catalog: an unlisted model or one without modalities is unknown`` (model: string) =
    Assert.Equal(None, XaiModels.acceptsImageInput modalities model)
    Assert.Equal(None, XaiModels.acceptsImageInput "garbage" model)

// ---- the stale-token 403 ------------------------------------------------------------------------------------

[<Theory>]
[<InlineData("""{"code":"unauthenticated:bad-credentials","error":"The OAuth2 access token could not be validated."}""")>]
[<InlineData("""{"error":{"code":"unauthenticated:bad-credentials","message":"invalid token"}}""")>]
[<InlineData("""{"error":"unauthenticated:bad-credentials"}""")>]
[<InlineData("""{"code":" Unauthenticated:Bad-Credentials "}""")>]
let ``stale token: a 403 whose body code is unauthenticated:bad-credentials opens the refresh gate`` (body: string) =
    Assert.True(XaiAuthGate.isStaleTokenForbidden 403 body)

[<Theory>]
[<InlineData("""{"code":"personal-team-blocked:spending-limit","error":"Your team has reached its monthly spending limit."}""")>]
[<InlineData("""{"code":"permission-denied:entitlement","error":"Your plan does not include grok-imagine-image-2.0."}""")>]
[<InlineData("""{"error":{"code":"forbidden","message":"unauthenticated:bad-credentials mentioned only in prose"}}""")>]
[<InlineData("""{"error":"The OAuth2 access token could not be validated."}""")>]
[<InlineData("""{"detail":"unauthenticated:bad-credentials"}""")>]
[<InlineData("unauthenticated:bad-credentials")>]
[<InlineData("<html>403 Forbidden</html>")>]
[<InlineData("")>]
[<InlineData(null)>]
let ``stale token: spending-limit, entitlement and other 403s do not`` (body: string) =
    Assert.False(XaiAuthGate.isStaleTokenForbidden 403 body)

[<Property>]
let ``stale token: only a 403 can open the gate`` (status: int) =
    status = 403
    || not (XaiAuthGate.isStaleTokenForbidden status """{"code":"unauthenticated:bad-credentials"}""")

[<Property>]
let ``stale token: total over any body`` (body: string) =
    XaiAuthGate.isStaleTokenForbidden 403 body |> ignore
    true
