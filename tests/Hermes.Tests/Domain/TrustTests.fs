/// trust.md, "Image URLs": the address classifier, the URL rules, the size caps and the retry rule.
module Hermes.Tests.Domain.TrustTests

open System
open System.Net
open Xunit
open FsCheck
open FsCheck.FSharp
open FsCheck.Xunit
open Hermes.Domain

// ---- generators -------------------------------------------------------------------------------

let uint32Gen =
    Gen.map2 (fun (hi: int) (lo: int) -> (uint32 hi <<< 16) ||| uint32 lo) (Gen.choose (0, 65535)) (Gen.choose (0, 65535))

let v4 (value: uint32) =
    IPAddress([| byte (value >>> 24); byte (value >>> 16); byte (value >>> 8); byte value |])

let dotted (value: uint32) =
    sprintf "%d.%d.%d.%d" (value >>> 24) ((value >>> 16) &&& 255u) ((value >>> 8) &&& 255u) (value &&& 255u)

/// Every internal IPv4 range of trust.md with the class it must get.
let internalRanges =
    [
        "127.0.0.0", 8, AddressClass.Loopback
        "10.0.0.0", 8, AddressClass.Private
        "172.16.0.0", 12, AddressClass.Private
        "192.168.0.0", 16, AddressClass.Private
        "169.254.0.0", 16, AddressClass.LinkLocal
        "100.64.0.0", 10, AddressClass.CarrierGradeNat
        "224.0.0.0", 4, AddressClass.Multicast
        "192.0.0.0", 24, AddressClass.Reserved
        "192.0.2.0", 24, AddressClass.Reserved
        "198.18.0.0", 15, AddressClass.Reserved
        "198.51.100.0", 24, AddressClass.Reserved
        "203.0.113.0", 24, AddressClass.Reserved
    ]

let networkValue (network: string) =
    IPAddress.Parse(network).GetAddressBytes()
    |> Array.fold (fun acc b -> (acc <<< 8) ||| uint32 b) 0u

let inRange (network: string, prefix: int) (value: uint32) =
    let mask = if prefix = 0 then 0u else UInt32.MaxValue <<< (32 - prefix)
    value &&& mask = networkValue network

/// An address of one internal range, with the class it must have.
let internalV4 =
    Gen.oneof
        [
            Gen.elements internalRanges
            |> Gen.bind (fun (network, prefix, expected) ->
                uint32Gen
                |> Gen.map (fun r ->
                    let mask = UInt32.MaxValue <<< (32 - prefix)
                    (networkValue network &&& mask) ||| (r &&& ~~~mask), expected))
            // 0/8 "this network" (0.0.0.0 itself is Unspecified) and 240/4 (255.255.255.255 is Broadcast).
            uint32Gen
            |> Gen.map (fun r ->
                let value = r &&& 0x00FFFFFFu

                value,
                (if value = 0u then
                     AddressClass.Unspecified
                 else
                     AddressClass.Reserved))
            uint32Gen
            |> Gen.map (fun r ->
                let value = 0xF0000000u ||| r

                value,
                (if value = UInt32.MaxValue then
                     AddressClass.Broadcast
                 else
                     AddressClass.Reserved))
            Gen.elements
                [
                    0u, AddressClass.Unspecified
                    UInt32.MaxValue, AddressClass.Broadcast
                    networkValue "169.254.169.254", AddressClass.LinkLocal
                ]
        ]

let publicV4 =
    uint32Gen
    |> Gen.filter (fun value ->
        not (internalRanges |> List.exists (fun (n, p, _) -> inRange (n, p) value))
        && not (inRange ("0.0.0.0", 8) value)
        && not (inRange ("240.0.0.0", 4) value)
        && not (inRange ("192.88.99.0", 24) value))

/// The ways a resolver or URL parser spells one IPv4 address as a host.
let spellings (value: uint32) =
    let b =
        [|
            value >>> 24
            (value >>> 16) &&& 255u
            (value >>> 8) &&& 255u
            value &&& 255u
        |]

    [
        dotted value
        string value
        sprintf "0x%x" value
        sprintf "0X%08X" value
        sprintf "0%o.0%o.0%o.0%o" b[0] b[1] b[2] b[3]
        sprintf "0x%x.0x%x.0x%x.0x%x" b[0] b[1] b[2] b[3]
        sprintf "%d.%d.%d" b[0] b[1] (value &&& 0xFFFFu)
        sprintf "%d.%d" b[0] (value &&& 0xFFFFFFu)
        sprintf "0x%x.%d" b[0] (value &&& 0xFFFFFFu)
        sprintf "0%o.%d.0x%x.%d" b[0] b[1] b[2] b[3]
        dotted value + "."
    ]

/// IPv6 spellings that embed the IPv4 address: mapped, compatible, translated, NAT64 and 6to4.
let v6Embeddings (value: uint32) =
    let hi, lo = value >>> 16, value &&& 0xFFFFu

    [
        sprintf "[::ffff:%s]" (dotted value)
        sprintf "[::ffff:%x:%x]" hi lo
        sprintf "[0:0:0:0:0:ffff:%s]" (dotted value)
        sprintf "[::%s]" (dotted value)
        sprintf "[::ffff:0:%s]" (dotted value)
        sprintf "[64:ff9b::%s]" (dotted value)
        sprintf "[2002:%x:%x::1]" hi lo
    ]

let port = Gen.choose (1, 65535)

let someOrigins =
    Gen.listOf (
        Gen.map3
            (fun host p scheme ->
                {
                    Scheme = scheme
                    Host = host
                    Port = p
                })
            (Gen.elements [ "api.x.ai"; "127.0.0.1"; "localhost"; "gateway.internal"; "10.0.0.1"; "::1" ])
            port
            (Gen.elements [ "http"; "https" ])
    )

let unbracket (host: string) = host.TrimStart('[').TrimEnd(']')

// ---- address: classes ---------------------------------------------------------------------------

[<Property(MaxTest = 2000)>]
let ``address: every IPv4 address of an internal range gets its class and is never public`` () =
    Prop.forAll (Arb.fromGen internalV4) (fun (value, expected) ->
        let actual = Address.classify (v4 value)
        actual = expected && not (Address.isPublic (v4 value)))

[<Property(MaxTest = 2000)>]
let ``address: addresses outside the special ranges are public`` () =
    Prop.forAll (Arb.fromGen publicV4) (fun value -> Address.isPublic (v4 value))

[<Property(MaxTest = 1000)>]
let ``address: IPv4-mapped, compatible, translated, NAT64 and 6to4 forms take the class of the IPv4 inside`` () =
    Prop.forAll (Arb.fromGen (Gen.oneof [ internalV4 |> Gen.map fst; publicV4 ])) (fun value ->
        let inner = Address.isPublic (v4 value)

        v6Embeddings value
        |> List.forall (fun host ->
            let address = IPAddress.Parse(unbracket host)
            // ::0.0.0.0 and ::0.0.0.1 are :: and ::1 themselves: internal either way.
            Address.isPublic address = inner))

[<Theory>]
[<InlineData("::", "Unspecified")>]
[<InlineData("::1", "Loopback")>]
[<InlineData("fc00::1", "Private")>]
[<InlineData("fd12:3456:789a::1", "Private")>]
[<InlineData("fe80::1", "LinkLocal")>]
[<InlineData("febf:ffff::1", "LinkLocal")>]
[<InlineData("fec0::1", "Private")>]
[<InlineData("ff02::1", "Multicast")>]
[<InlineData("ff05::fb", "Multicast")>]
[<InlineData("2001:db8::1", "Reserved")>]
[<InlineData("2001::1", "Reserved")>]
[<InlineData("64:ff9b:1::1", "Reserved")>]
[<InlineData("100::1", "Reserved")>]
[<InlineData("::ffff:169.254.169.254", "LinkLocal")>]
[<InlineData("64:ff9b::a9fe:a9fe", "LinkLocal")>]
[<InlineData("2002:7f00:1::", "Loopback")>]
[<InlineData("2002:c0a8:101::1", "Private")>]
[<InlineData("2606:4700::1111", "Public")>]
[<InlineData("2a00:1450:4001:82b::200e", "Public")>]
[<InlineData("64:ff9b::808:808", "Public")>]
[<InlineData("::ffff:8.8.8.8", "Public")>]
let ``address: IPv6 special ranges`` (address: string, expected: string) =
    Assert.Equal(expected, sprintf "%A" (Address.classify (IPAddress.Parse address)))

// ---- address: spellings ------------------------------------------------------------------------------

[<Property(MaxTest = 1000)>]
let ``address: decimal, octal, hex and short spellings of an IPv4 address are that address`` () =
    Prop.forAll (Arb.fromGen uint32Gen) (fun value ->
        spellings value
        |> List.forall (fun host -> Address.parseHost host = Some(v4 value)))

[<Theory>]
[<InlineData("2130706433", "127.0.0.1")>]
[<InlineData("0x7f.1", "127.0.0.1")>]
[<InlineData("0177.0.0.1", "127.0.0.1")>]
[<InlineData("127.1", "127.0.0.1")>]
[<InlineData("0x7f000001", "127.0.0.1")>]
[<InlineData("0", "0.0.0.0")>]
[<InlineData("0x", "0.0.0.0")>]
[<InlineData("[::1]", "::1")>]
[<InlineData("::1", "::1")>]
[<InlineData("[::ffff:7f00:1]", "::ffff:127.0.0.1")>]
[<InlineData("[fe80::1%eth0]", "fe80::1")>]
let ``address: literal spellings parse`` (host: string, expected: string) =
    Assert.Equal(Some(IPAddress.Parse expected), Address.parseHost host)

[<Theory>]
[<InlineData("example.com")>]
[<InlineData("localhost")>]
[<InlineData("1.2.3.4.5")>]
[<InlineData("256.1.1.1")>]
[<InlineData("1.2.65536")>]
[<InlineData("0x100000000")>]
[<InlineData("09.1.1.1")>]
[<InlineData("1..2")>]
[<InlineData("x.1.2.3")>]
[<InlineData("[example.com]")>]
[<InlineData("")>]
[<InlineData(null)>]
let ``address: DNS names and impossible numbers are not addresses`` (host: string) =
    Assert.Equal(None, Address.parseHost host)

[<Property>]
let ``address: parseHost is total`` (host: string) =
    Address.parseHost host |> ignore
    true

[<Property>]
let ``address: parseHost agrees with IPAddress on every dotted quad`` () =
    Prop.forAll (Arb.fromGen uint32Gen) (fun value -> Address.parseHost (dotted value) = Some(IPAddress.Parse(dotted value)))

// ---- address: the one exception ------------------------------------------------------------------------

[<Property(MaxTest = 1000)>]
let ``address: an internal address in any spelling never may be connected to unless that exact host and port is trusted`` () =
    let gen =
        Gen.zip3 (internalV4 |> Gen.map fst) port someOrigins
        |> Gen.bind (fun (value, p, origins) ->
            Gen.elements (spellings value @ v6Embeddings value)
            |> Gen.map (fun host -> value, host, p, origins))

    Prop.forAll (Arb.fromGen gen) (fun (value, host, p, origins) ->
        let address =
            if host.StartsWith "[" then
                IPAddress.Parse(unbracket host)
            else
                v4 value

        let trusted = Address.isTrusted origins host p
        Address.mayConnect origins host p address = trusted)

[<Property(MaxTest = 1000)>]
let ``address: a trusted 127.0.0.1:PORT trusts neither another loopback address nor another port`` () =
    let gen = Gen.zip3 port (Gen.choose (2, 0xFFFFFF)) (Gen.choose (1, 65535))

    Prop.forAll (Arb.fromGen gen) (fun (p, otherHost, otherPort) ->
        let trusted =
            [
                {
                    Scheme = "http"
                    Host = "127.0.0.1"
                    Port = p
                }
            ]

        let loopback = IPAddress.Loopback
        let other = v4 (0x7F000000u ||| uint32 otherHost)

        Address.mayConnect trusted "127.0.0.1" p loopback
        && Address.mayConnect trusted "2130706433" p loopback
        && not (Address.mayConnect trusted (dotted (0x7F000000u ||| uint32 otherHost)) p other)
        && (otherPort = p || not (Address.mayConnect trusted "127.0.0.1" otherPort loopback))
        && not (Address.mayConnect trusted "localhost" p loopback))

[<Property(MaxTest = 500)>]
let ``address: public addresses may always be connected to`` () =
    Prop.forAll (Arb.fromGen (Gen.zip publicV4 port)) (fun (value, p) -> Address.mayConnect [] (dotted value) p (v4 value))

[<Fact>]
let ``address: a configured host name is trusted whatever it resolves to, compared case-insensitively`` () =
    let trusted =
        [
            {
                Scheme = "http"
                Host = "gateway.internal"
                Port = 8080
            }
        ]

    Assert.True(Address.mayConnect trusted "GATEWAY.internal" 8080 (IPAddress.Parse "10.1.2.3"))
    Assert.True(Address.mayConnect trusted "gateway.internal." 8080 (IPAddress.Parse "10.1.2.3"))
    Assert.False(Address.mayConnect trusted "gateway.internal" 8081 (IPAddress.Parse "10.1.2.3"))
    Assert.False(Address.mayConnect trusted "other.internal" 8080 (IPAddress.Parse "10.1.2.3"))

[<Theory>]
[<InlineData("https://api.x.ai/v1", "https", "api.x.ai", 443)>]
[<InlineData("HTTP://LocalHost:5005/v1/", "http", "localhost", 5005)>]
[<InlineData("http://127.0.0.1:41234", "http", "127.0.0.1", 41234)>]
[<InlineData("http://[::1]:9000/x", "http", "::1", 9000)>]
[<InlineData("http://example.com", "http", "example.com", 80)>]
let ``address: the origin of a base URL`` (url: string, scheme: string, host: string, p: int) =
    Assert.Equal(
        Some
            {
                Scheme = scheme
                Host = host
                Port = p
            },
        Address.originOf url
    )

[<Theory>]
[<InlineData("ftp://example.com/")>]
[<InlineData("/v1")>]
[<InlineData("example.com")>]
[<InlineData("")>]
let ``address: no origin for anything but an absolute http(s) URL`` (url: string) =
    Assert.Equal(None, Address.originOf url)

// ---- image URLs ------------------------------------------------------------------------------------------

let isFetch =
    function
    | UrlVerdict.Fetch _ -> true
    | _ -> false

let isRefused =
    function
    | UrlVerdict.Refused _ -> true
    | _ -> false

let refusal =
    function
    | UrlVerdict.Refused reason -> reason
    | other -> failwithf "expected a refusal, got %A" other

[<Theory>]
[<InlineData("file:///etc/hostname")>]
[<InlineData("FILE:///etc/passwd")>]
[<InlineData("/etc/hostname")>]
[<InlineData("\\etc\\hostname")>]
[<InlineData("C:\\Windows\\win.ini")>]
[<InlineData("c:/x.png")>]
[<InlineData("ftp://example.com/a.png")>]
[<InlineData("javascript:alert(1)")>]
[<InlineData("JavaScript:alert(1)")>]
[<InlineData("gopher://example.com/")>]
[<InlineData("image.png")>]
[<InlineData("./image.png")>]
[<InlineData("../image.png")>]
[<InlineData("//example.com/a.png")>]
[<InlineData("\\\\server\\share\\a.png")>]
[<InlineData("http:/example.com/a.png")>]
[<InlineData("http:example.com/a.png")>]
[<InlineData("https://user:pass@example.com/a.png")>]
[<InlineData("https://user@example.com/a.png")>]
[<InlineData("http://127.0.0.2:8080/a.png")>]
[<InlineData("http://[::1]/a.png")>]
[<InlineData("http://localhost/a.png")>]
[<InlineData("http://LOCALHOST./a.png")>]
[<InlineData("http://api.localhost/a.png")>]
[<InlineData("http://169.254.169.254/latest/meta-data/")>]
[<InlineData("http://2130706433/a.png")>]
[<InlineData("http://0x7f.1/a.png")>]
[<InlineData("http://0177.0.0.1/a.png")>]
[<InlineData("http://127.0.0.1./a.png")>]
[<InlineData("http://０x7f.1/a.png")>]
[<InlineData("http://１２７.0.0.1/a.png")>]
[<InlineData("http://0/a.png")>]
[<InlineData("http://[::ffff:10.0.0.1]/a.png")>]
[<InlineData("http://[fd00::1]/a.png")>]
[<InlineData("http://100.64.0.1/a.png")>]
[<InlineData("http://example.com\\@127.0.0.1/a.png")>]
[<InlineData("http://exa mple.com/a.png")>]
[<InlineData("data:text/html;base64,PGgxPg==")>]
[<InlineData("data:image/png,rawbytes")>]
[<InlineData("data:image/png;base64,")>]
[<InlineData("")>]
[<InlineData("   ")>]
[<InlineData(null)>]
let ``image URL: anything but a public absolute http(s) URL or a base64 image data URL is refused`` (url: string) =
    Assert.True(isRefused (ImageUrl.classify [] url), sprintf "%A" (ImageUrl.classify [] url))

[<Theory>]
[<InlineData("https://imgen.x.ai/xai-tmp-abc.jpeg?sig=1")>]
[<InlineData("http://cdn.example.com/a.png")>]
[<InlineData("HTTPS://CDN.EXAMPLE.COM:8443/a.png#x")>]
[<InlineData("https://8.8.8.8/a.png")>]
[<InlineData("https://[2606:4700::1111]/a.png")>]
[<InlineData("https://localhost.example.com/a.png")>]
let ``image URL: public http(s) URLs are fetched`` (url: string) =
    Assert.True(isFetch (ImageUrl.classify [] url), sprintf "%A" (ImageUrl.classify [] url))

[<Fact>]
let ``image URL: a base64 image data URL is decoded inline, never fetched`` () =
    let url = "data:image/png;base64,iVBORw0KGgo="
    Assert.Equal(UrlVerdict.Inline url, ImageUrl.classify [] url)
    Assert.Equal(UrlVerdict.Inline "DATA:IMAGE/WEBP;BASE64,UklGRg==", ImageUrl.classify [] "DATA:IMAGE/WEBP;BASE64,UklGRg==")

[<Fact>]
let ``image URL: a data URL over the 25 MiB cap is refused before decoding`` () =
    // 8,738,133 full groups are 26,214,399 bytes; "AA==" adds one more, "AAA=" two.
    let fits = String('A', 8_738_133 * 4) + "AA=="
    let over = String('A', 8_738_133 * 4) + "AAA="

    Assert.True(
        ImageUrl.classify [] ("data:image/png;base64," + fits)
        |> function
            | UrlVerdict.Inline _ -> true
            | _ -> false
    )

    Assert.Contains("cap", refusal (ImageUrl.classify [] ("data:image/png;base64," + over)))

[<Fact>]
let ``image URL: the trusted base host is fetched whatever its address, nothing else on that machine is`` () =
    let trusted = [ Address.originOf "http://127.0.0.1:41234/v1" |> Option.get ]
    Assert.True(isFetch (ImageUrl.classify trusted "http://127.0.0.1:41234/files/a.png"))
    Assert.True(isFetch (ImageUrl.classify trusted "http://2130706433:41234/files/a.png"))
    Assert.True(isRefused (ImageUrl.classify trusted "http://127.0.0.1:41235/files/a.png"))
    Assert.True(isRefused (ImageUrl.classify trusted "http://127.0.0.2:41234/files/a.png"))
    Assert.True(isRefused (ImageUrl.classify trusted "http://localhost:41234/files/a.png"))
    Assert.True(isRefused (ImageUrl.classify trusted "http://[::1]:41234/files/a.png"))
    Assert.True(isRefused (ImageUrl.classify trusted "http://u:p@127.0.0.1:41234/files/a.png"))

[<Fact>]
let ``image URL: a refusal is one line naming the URL without query or userinfo, and why`` () =
    let reason =
        refusal (ImageUrl.classify [] "http://user:hunter22@127.0.0.2:9/a.png?token=s3cret#f")

    Assert.DoesNotContain("hunter22", reason)
    Assert.DoesNotContain("s3cret", reason)
    Assert.DoesNotContain("\n", reason)
    Assert.Contains("http://127.0.0.2:9/a.png", reason)
    Assert.Contains("user information", reason)

    let loopback =
        refusal (ImageUrl.classify [] "http://127.0.0.2:9/a.png?token=s3cret")

    Assert.Contains("127.0.0.2", loopback)
    Assert.Contains("loopback", loopback)
    Assert.DoesNotContain("s3cret", loopback)

    Assert.Contains("scheme 'file:'", refusal (ImageUrl.classify [] "file:///etc/hostname"))
    Assert.Contains("local path", refusal (ImageUrl.classify [] "/etc/hostname"))
    Assert.DoesNotContain("\u001b", refusal (ImageUrl.classify [] "ftp://ex\u001b[2Jample/"), StringComparison.Ordinal)

let hostileUrl =
    let internalHost =
        internalV4
        |> Gen.map fst
        |> Gen.bind (fun value -> Gen.elements (spellings value @ v6Embeddings value))

    let anyHost =
        Gen.oneof [ internalHost; Gen.elements [ "example.com"; "8.8.8.8"; "cdn.x.ai" ] ]

    let pathGen = Gen.elements [ "/a.png"; "/"; ""; "/x?y=1"; "/etc/hostname" ]

    Gen.oneof
        [
            Gen.map3 (fun scheme h p -> scheme + "://" + h + p) (Gen.elements [ "http"; "https"; "HTTP" ]) internalHost pathGen
            Gen.map3
                (fun scheme h p -> scheme + "://" + h + p)
                (Gen.elements [ "file"; "ftp"; "gopher"; "ws"; "wss"; "ldap" ])
                anyHost
                pathGen
            Gen.map2 (fun h p -> "//" + h + p) anyHost pathGen
            Gen.map2 (fun h p -> "https://admin:pw@" + h + p) anyHost pathGen
            Gen.map2 (fun h p -> "https://" + h + "@" + h + p) anyHost pathGen
            Gen.map (fun p -> "javascript:alert('" + p + "')") pathGen
            Gen.map (fun p -> "/var/lib" + p) pathGen
            Gen.map (fun p -> "images" + p) pathGen
            Gen.map (fun p -> "data:text/html;base64,PHNjcmlwdD4" + p) pathGen
        ]

[<Property(MaxTest = 2000)>]
let ``image URL: no generated hostile URL is ever fetched`` () =
    Prop.forAll (Arb.fromGen hostileUrl) (fun url -> isRefused (ImageUrl.classify [] url))

[<Property>]
let ``image URL: the classifier is total and a refusal is one printable line`` (url: string) =
    match ImageUrl.classify [] url with
    | UrlVerdict.Refused reason -> reason |> String.forall (fun c -> c >= ' ' && c <> '\u007F')
    | UrlVerdict.Fetch uri -> uri.Scheme = "http" || uri.Scheme = "https"
    | UrlVerdict.Inline data -> data.StartsWith("data:image/", StringComparison.OrdinalIgnoreCase)

// ---- redirects ---------------------------------------------------------------------------------------------

let current = Uri "https://cdn.example.com/images/a.png"

[<Fact>]
let ``redirect: a Location is resolved against the current URL and checked by the same rules`` () =
    Assert.Equal(UrlVerdict.Fetch(Uri "https://cdn.example.com/etc/hostname"), ImageUrl.redirect [] current (Some "/etc/hostname"))
    Assert.Equal(UrlVerdict.Fetch(Uri "https://cdn.example.com/images/b.png"), ImageUrl.redirect [] current (Some "b.png"))
    Assert.Equal(UrlVerdict.Fetch(Uri "https://other.example.com/x"), ImageUrl.redirect [] current (Some "//other.example.com/x"))
    Assert.True(isRefused (ImageUrl.redirect [] current (Some "http://127.0.0.1/x")))
    Assert.True(isRefused (ImageUrl.redirect [] current (Some "//169.254.169.254/latest")))
    Assert.True(isRefused (ImageUrl.redirect [] current (Some "file:///etc/passwd")))
    Assert.True(isRefused (ImageUrl.redirect [] current (Some "http://u:p@example.com/")))
    Assert.True(isRefused (ImageUrl.redirect [] current (Some "data:image/png;base64,iVBORw0KGgo=")))

[<Theory>]
[<InlineData(null)>]
[<InlineData("")>]
[<InlineData("  ")>]
let ``redirect: a 3xx without Location is refused`` (location: string) =
    Assert.Contains("no Location", refusal (ImageUrl.redirect [] current (Option.ofObj location)))

[<Fact>]
let ``redirect: to the trusted base is allowed, to its neighbour is not`` () =
    let trusted =
        [
            {
                Scheme = "http"
                Host = "127.0.0.1"
                Port = 5005
            }
        ]

    Assert.True(isFetch (ImageUrl.redirect trusted current (Some "http://127.0.0.1:5005/a.png")))
    Assert.True(isRefused (ImageUrl.redirect trusted current (Some "http://127.0.0.1:5006/a.png")))

[<Property>]
let ``redirect: total over any Location`` (location: string) =
    ImageUrl.redirect [] current (Option.ofObj location) |> ignore
    true

// ---- size limits ------------------------------------------------------------------------------------------

[<Fact>]
let ``size: caps of trust.md`` () =
    Assert.Equal(26_214_400L, Limits.maxImageBytes)
    Assert.Equal(64L * 1024L * 1024L, Limits.maxJsonBytes)
    Assert.Equal(48 * 1024 * 1024, Limits.maxSseLineBytes)
    Assert.Equal(5, Limits.maxRedirects)

[<Property>]
let ``size: the decoded length of base64 is an upper bound within two bytes`` (bytes: byte[]) =
    let bytes = if isNull bytes then [||] else bytes
    let bound = Limits.base64DecodedLength (int64 (Convert.ToBase64String bytes).Length)
    bound >= int64 bytes.Length && bound <= int64 bytes.Length + 2L

[<Property>]
let ``size: the decoded length never overflows`` (NonNegativeInt n) (shift: byte) =
    let chars = (Int64.MaxValue >>> int (shift % 64uy)) - int64 n |> max 0L
    let bound = Limits.base64DecodedLength chars
    bound >= 0L && bound <= chars / 4L * 3L + 3L

// ---- retries (trust.md, Money) --------------------------------------------------------------------------------

[<Property>]
let ``retry: only 429 and 503 are retried`` (status: int) =
    RetryRule.isRetryableStatus status = (status = 429 || status = 503)

let now = DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero)

[<Theory>]
[<InlineData("0", 0.0)>]
[<InlineData("5", 5.0)>]
[<InlineData(" 7 ", 7.0)>]
[<InlineData("1.5", 1.5)>]
[<InlineData("60", 60.0)>]
[<InlineData("61", 60.0)>]
[<InlineData("86400", 60.0)>]
[<InlineData("999999999999999999999999999999999999", 60.0)>]
[<InlineData("Sun, 01 Mar 2026 12:00:30 GMT", 30.0)>]
[<InlineData("Sunday, 01-Mar-26 12:00:45 GMT", 45.0)>]
[<InlineData("Sun Mar  1 12:00:10 2026", 10.0)>]
[<InlineData("Sun, 01 Mar 2026 14:00:00 GMT", 60.0)>]
let ``retry: Retry-After is honoured up to 60 s`` (header: string, seconds: float) =
    Assert.Equal(Some(TimeSpan.FromSeconds seconds), RetryRule.retryAfter (Some header) now)

[<Theory>]
[<InlineData(null)>]
[<InlineData("")>]
[<InlineData("-1")>]
[<InlineData("soon")>]
[<InlineData("1e3")>]
[<InlineData("Sun, 01 Mar 2026 11:59:00 GMT")>]
let ``retry: an absent, unparseable, negative or past Retry-After is None`` (header: string) =
    Assert.Equal(None, RetryRule.retryAfter (Option.ofObj header) now)

[<Property>]
let ``retry: Retry-After is never negative nor over 60 s`` (header: string) (offset: int) =
    match RetryRule.retryAfter (Option.ofObj header) (now.AddSeconds(float offset)) with
    | Some delay -> delay >= TimeSpan.Zero && delay <= TimeSpan.FromSeconds 60.0
    | None -> true

[<Property>]
let ``retry: backoff doubles from 1 s, jitter adds less than one step, capped at 60 s`` (attempt: int) (jitter: float) =
    let delay = RetryRule.backoff attempt jitter
    let step = TimeSpan.FromSeconds(Math.Pow(2.0, float (min 10 (max 1 attempt - 1))))

    delay <= TimeSpan.FromSeconds 60.0
    && (delay >= step || delay = TimeSpan.FromSeconds 60.0)

[<Property>]
let ``retry: backoff grows with the attempt`` (PositiveInt attempt) =
    Prop.forAll (Arb.fromGen (Gen.choose (0, 999) |> Gen.map (fun j -> float j / 1000.0))) (fun jitter ->
        RetryRule.backoff attempt jitter <= RetryRule.backoff (attempt + 1) jitter)

[<Fact>]
let ``retry: the first backoffs are 1-2 s, 2-4 s and 4-8 s`` () =
    Assert.Equal(TimeSpan.FromSeconds 1.0, RetryRule.backoff 1 0.0)
    Assert.Equal(TimeSpan.FromSeconds 1.5, RetryRule.backoff 1 0.5)
    Assert.Equal(TimeSpan.FromSeconds 2.0, RetryRule.backoff 2 0.0)
    Assert.Equal(TimeSpan.FromSeconds 6.0, RetryRule.backoff 3 0.5)
    Assert.Equal(TimeSpan.FromSeconds 60.0, RetryRule.backoff 7 0.0)
    Assert.Equal(3, RetryRule.maxAttempts)
