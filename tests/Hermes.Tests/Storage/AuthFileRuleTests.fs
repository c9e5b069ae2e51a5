/// The pure rules of the files Hermes owns: the shape of auth.json and owner-only permissions.
module Hermes.Tests.Storage.AuthFileRuleTests

open Xunit
open FsCheck
open FsCheck.FSharp
open FsCheck.Xunit
open Hermes.Domain

let check = AuthFile.check AuthFile.hermesShape

[<Theory>]
[<InlineData("{}")>]
[<InlineData("""{"version":1,"providers":{}}""")>]
[<InlineData("""{"providers":{"xai-oauth":{"tokens":{"access_token":"a"}}},"credential_pool":{"xai-oauth":[]},"other":[1,2]}""")>]
[<InlineData("""{"providers":{"xai-oauth":null}}""")>]
[<InlineData("""{"providers":{"gemini":"anything"}}""")>]
let ``an auth.json of the known shape passes`` (text: string) = Assert.Equal(Ok(), check text)

[<Theory>]
[<InlineData("{", "not valid JSON")>]
[<InlineData("not json at all", "not valid JSON")>]
[<InlineData("[]", "not a JSON object")>]
[<InlineData("\"text\"", "not a JSON object")>]
[<InlineData("""{"providers":[]}""", "\"providers\" that is not a JSON object")>]
[<InlineData("""{"providers":{"xai-oauth":{"tokens":"secret"}}}""", "\"providers.xai-oauth.tokens\" that is not a JSON object")>]
[<InlineData("""{"credential_pool":{"xai-oauth":{}}}""", "\"credential_pool.xai-oauth\" that is not a JSON array")>]
[<InlineData("""{"active_provider":3}""", "\"active_provider\" that is not a string")>]
[<InlineData("""{"providers":{"nous":"token"}}""", "\"providers.nous\" that is not a JSON object")>]
[<InlineData("""{"providers":{},"providers":{}}""", "names \"providers\" twice")>]
let ``a corrupt or wrongly shaped auth.json is a typed problem that never quotes the file`` (text: string, expected: string) =
    match check text with
    | Error problem -> Assert.Contains(expected, AuthFile.describe problem)
    | Ok() -> failwith "accepted"

[<Fact>]
let ``JSON nested beyond the reader's depth is corrupt, not an exception`` () =
    let deep = String.replicate 200 """{"a":""" + "1" + String.replicate 200 "}"
    Assert.True(check deep |> Result.isError)

[<Fact>]
let ``the problem names the line, not the secret`` () =
    match check "{\n\"access_token\": \"sk-secret-value\",\n oops }" with
    | Error problem -> Assert.Equal("is not valid JSON (line 3)", AuthFile.describe problem)
    | Ok() -> failwith "accepted"

[<Property>]
let ``the shape check is total over any text`` (text: string) =
    check text |> ignore
    true

[<Property>]
let ``a mode is looser exactly when it grants group or others what owner-only does not`` (mode: int) =
    let mode = mode &&& 0o777

    AuthFile.isLooser AuthFile.fileMode mode = (mode &&& 0o077 <> 0)
    && AuthFile.isLooser AuthFile.directoryMode mode = (mode &&& 0o077 <> 0)

[<Fact>]
let ``owner-only modes are not looser`` () =
    Assert.False(AuthFile.isLooser AuthFile.fileMode 0o600)
    Assert.False(AuthFile.isLooser AuthFile.fileMode 0o400)
    Assert.False(AuthFile.isLooser AuthFile.directoryMode 0o700)
    Assert.True(AuthFile.isLooser AuthFile.fileMode 0o644)
    Assert.True(AuthFile.isLooser AuthFile.directoryMode 0o755)
