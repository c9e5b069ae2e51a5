module Hermes.Tests.Domain.AllowlistTests

open System
open Xunit
open FsCheck.Xunit
open FsCheck
open FsCheck.FSharp
open Hermes.Domain

let accepted url =
    HostAllowlist.check HostAllowlist.strict url |> Result.isOk

[<Theory>]
[<InlineData("https://auth.x.ai/oauth2/token")>]
[<InlineData("https://accounts.x.ai/token")>]
[<InlineData("https://x.ai/token")>]
[<InlineData("https://AUTH.X.AI/oauth2/token")>]
[<InlineData("HTTPS://auth.x.ai:443/oauth2/token?x=1")>]
[<InlineData("https://api.x.ai")>]
let ``xAI endpoints over https are accepted`` (url: string) = Assert.True(accepted url)

[<Theory>]
[<InlineData("http://auth.x.ai/oauth2/token")>]
[<InlineData("https://evil.example.com/token")>]
[<InlineData("https://evilx.ai/token")>]
[<InlineData("https://evil-x.ai/token")>]
[<InlineData("https://x.ai.evil.com/token")>]
[<InlineData("https://auth.x.ai.evil.com/token")>]
[<InlineData("https://auth.x.ai@evil.com/token")>]
[<InlineData("https://evil.com@auth.x.ai/token")>]
[<InlineData("https://auth.x.ai./token")>]
[<InlineData("https://auth.x.ai:8443/token")>]
[<InlineData("https://auth.x.ai\\@evil.com/")>]
[<InlineData(" https://auth.x.ai/token")>]
[<InlineData("https://аuth.x.ai/token")>]
[<InlineData("https://auth.x.аi/token")>]
[<InlineData("https://%61uth.x.ai/token")>]
[<InlineData("https://[::1]/token")>]
[<InlineData("https://127.0.0.1/token")>]
[<InlineData("//auth.x.ai/token")>]
[<InlineData("")>]
[<InlineData(null)>]
let ``hostile endpoints are refused`` (url: string) = Assert.False(accepted url)

let label =
    Gen.choose (1, 12)
    |> Gen.bind (fun n -> Gen.arrayOfLength n (Gen.elements ("abcdefghijklmnopqrstuvwxyz0123456789" |> Seq.toList)))
    |> Gen.map String

let randomCase (text: string) =
    Gen.arrayOfLength text.Length (Gen.elements [ true; false ])
    |> Gen.map (fun flips -> String(Array.map2 (fun (c: char) up -> if up then Char.ToUpperInvariant c else c) (text.ToCharArray()) flips))

let hostileHost =
    Gen.oneof
        [
            Gen.map2 (fun a tld -> a + "." + tld) label (Gen.elements [ "com"; "net"; "ai"; "io"; "x.ai.evil.com"; "evil" ])
            Gen.map (fun a -> "x.ai." + a + ".com") label
            Gen.map (fun a -> a + "x.ai") label
            Gen.map (fun a -> a + "-x.ai") label
            Gen.map (fun a -> a + ".x.ai.") label
            Gen.map (fun a -> a + ".x.ai..") label
            Gen.map (fun a -> a + "..x.ai") label
            Gen.map (fun a -> a + ".x.ai%2eevil.com") label
            Gen.map (fun a -> a + ".x.aі") label
            Gen.map (fun a -> a + ".ｘ.ai") label
            Gen.map (fun a -> "xn--" + a + ".com") label
            Gen.elements
                [
                    "x.ai.evil.com"
                    "xai"
                    "x-ai.com"
                    "127.0.0.1"
                    "[::1]"
                    "0x7f.0.0.1"
                    "localhost"
                    "x.ai\u0000.evil.com"
                    ""
                ]
        ]

let path = Gen.elements [ ""; "/"; "/oauth2/token"; "/token?x=1"; "#frag" ]
let validHost = Gen.map (fun a -> a + ".x.ai") label

let hostileUrl =
    Gen.oneof
        [
            Gen.map2 (fun h p -> "https://" + h + p) hostileHost path
            Gen.map2 (fun h p -> "http://" + h + p) validHost path
            Gen.map2 (fun h p -> "http://" + h + p) hostileHost path
            Gen.map3
                (fun h (port: int) p -> sprintf "https://%s:%d%s" h port p)
                validHost
                (Gen.choose (0, 65535) |> Gen.filter ((<>) 443))
                path
            Gen.map3 (fun u h p -> "https://" + u + "@" + h + p) label validHost path
            Gen.map3 (fun h u p -> "https://" + h + "@" + u + ".com" + p) validHost label path
            Gen.map2 (fun h p -> "https://" + h + "." + p) validHost path
            Gen.map2 (fun h p -> "https://" + h + "\\" + p) validHost path
            Gen.map2 (fun h p -> " https://" + h + p) validHost path
            Gen.map2 (fun h p -> "wss://" + h + p) validHost path
            Gen.map2 (fun h p -> "https:/" + h + p) validHost path
        ]
    |> Gen.bind (fun url -> Gen.oneof [ Gen.constant url; randomCase url ])

[<Property(MaxTest = 2000)>]
let ``no generated hostile endpoint is ever accepted`` () =
    Prop.forAll (Arb.fromGen hostileUrl) (fun url -> not (accepted url))

[<Property(MaxTest = 500)>]
let ``any subdomain of x.ai over https is accepted, in any case`` () =
    Prop.forAll (Arb.fromGen (Gen.map2 (fun h p -> "https://" + h + p) validHost path |> Gen.bind randomCase)) accepted

[<Property>]
let ``the allowlist is total over any string`` (url: string) =
    HostAllowlist.check HostAllowlist.strict url |> ignore
    true

[<Fact>]
let ``a trusted origin is matched exactly, scheme host and port`` () =
    let policy =
        {
            TrustedOrigins = [ "http://127.0.0.1:5005" ]
        }

    Assert.True(HostAllowlist.check policy "http://127.0.0.1:5005/token" |> Result.isOk)
    Assert.False(HostAllowlist.check policy "http://127.0.0.1:5006/token" |> Result.isOk)
    Assert.False(HostAllowlist.check policy "http://evil@127.0.0.1:5005/token" |> Result.isOk)
    Assert.False(HostAllowlist.check policy "https://127.0.0.1:5005/token" |> Result.isOk)

[<Fact>]
let ``only xAI's own origins get CORS on the callback`` () =
    Assert.Equal(Some "https://accounts.x.ai", OriginAllowlist.corsOrigin (Some "https://accounts.x.ai"))
    Assert.Equal(Some "https://auth.x.ai", OriginAllowlist.corsOrigin (Some "https://auth.x.ai"))
    Assert.Equal(None, OriginAllowlist.corsOrigin (Some "https://attacker.example.com"))
    Assert.Equal(None, OriginAllowlist.corsOrigin None)
    Assert.Equal(None, OriginAllowlist.corsOrigin (Some ""))

let hostileOrigin =
    Gen.oneof
        [
            Gen.map (fun l -> "https://" + l + ".com") label
            Gen.elements
                [
                    "http://accounts.x.ai"
                    "https://accounts.x.ai/"
                    "https://accounts.x.ai.evil.com"
                    "https://ACCOUNTS.X.AI"
                    "https://evil.auth.x.ai"
                    "null"
                    "https://accounts.x.ai:443"
                    " https://auth.x.ai"
                    "https://auth.x.ai "
                ]
            Gen.map (fun l -> "https://" + l + ".x.ai") label
            ArbMap.defaults |> ArbMap.generate<string>
        ]
    |> Gen.filter (fun o -> not (List.contains o OriginAllowlist.allowed))

[<Property(MaxTest = 1500)>]
let ``no other origin ever gets CORS headers`` () =
    Prop.forAll (Arb.fromGen hostileOrigin) (fun origin -> OriginAllowlist.corsOrigin (Some origin) = None)

[<Fact>]
let ``loopback redirect URIs`` () =
    Assert.Equal(
        Ok
            {
                Host = "127.0.0.1"
                Port = 56121
                Path = "/callback"
            },
        RedirectUri.validate "http://127.0.0.1:56121/callback"
    )

    for bad in
        [
            "https://127.0.0.1:56121/callback"
            "http://example.com:56121/callback"
            "http://127.0.0.1/callback"
            "http://localhost:56121/callback"
            "http://127.0.0.1:0/callback"
            "http://127.0.0.1:70000/callback"
            "http://127.0.0.1:56121/other"
            "http://127.0.0.1:56121/callback?x=1"
            "http://user@127.0.0.1:56121/callback"
        ] do
        match RedirectUri.validate bad with
        | Error e -> Assert.Contains("http://127.0.0.1:<port>/callback", e.Message)
        | Ok _ -> failwithf "accepted %s" bad

let hostileRedirect =
    Gen.oneof
        [
            Gen.map2
                (fun h (p: int) -> sprintf "http://%s:%d/callback" h p)
                (Gen.oneof
                    [
                        hostileHost |> Gen.filter ((<>) "127.0.0.1")
                        Gen.elements [ "localhost"; "127.0.0.2"; "0.0.0.0"; "[::1]"; "127.0.0.1.evil.com" ]
                    ])
                (Gen.choose (1, 65535))
            Gen.map (fun (p: int) -> sprintf "https://127.0.0.1:%d/callback" p) (Gen.choose (1, 65535))
            Gen.map
                (fun (p: int) -> sprintf "http://127.0.0.1:%d/callback" p)
                (Gen.oneof [ Gen.choose (-100, 0); Gen.choose (65536, 999999) ])
            Gen.map2 (fun (p: int) l -> sprintf "http://127.0.0.1:%d/%s" p l) (Gen.choose (1, 65535)) label
            Gen.map2 (fun (p: int) l -> sprintf "http://%s@127.0.0.1:%d/callback" l p) (Gen.choose (1, 65535)) label
            Gen.map (fun (p: int) -> sprintf "http://127.0.0.1:%d/callback#x" p) (Gen.choose (1, 65535))
            Gen.constant "http://127.0.0.1/callback"
        ]

[<Property(MaxTest = 1500)>]
let ``no generated hostile redirect URI is accepted`` () =
    Prop.forAll (Arb.fromGen hostileRedirect) (fun uri -> RedirectUri.validate uri |> Result.isError)

[<Property>]
let ``every loopback port with /callback is accepted`` () =
    Prop.forAll (Arb.fromGen (Gen.choose (1, 65535))) (fun port -> RedirectUri.validate (RedirectUri.make port) |> Result.isOk)
