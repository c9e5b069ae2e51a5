namespace Hermes.Domain

open System

/// What an IP address reaches: only Public ones are downloaded from, unless the user configured that host themselves.
[<RequireQualifiedAccess>]
type AddressClass =
    | Public
    | Loopback
    | Private
    | LinkLocal
    | CarrierGradeNat
    | Unspecified
    | Multicast
    | Broadcast
    | Reserved

/// A scheme://host:port the user configured (a provider base URL): trusted for downloads whatever its address.
/// Host is lower-case, without IPv6 brackets or a trailing dot; an IP literal is in its canonical spelling.
type Origin =
    {
        Scheme: string
        Host: string
        Port: int
    }

/// The address rules of trust.md: which IPs a download may connect to, and every spelling of an IP literal.
module Address =

    let private classifyV4 (b: byte[]) =
        let a, b1, c = int b[0], int b[1], int b[2]

        if a = 0 && b1 = 0 && c = 0 && b[3] = 0uy then
            AddressClass.Unspecified
        elif a = 0 then
            AddressClass.Reserved // 0/8 "this network"
        elif a = 10 then
            AddressClass.Private
        elif a = 127 then
            AddressClass.Loopback
        elif a = 100 && b1 >= 64 && b1 <= 127 then
            AddressClass.CarrierGradeNat
        elif a = 169 && b1 = 254 then
            AddressClass.LinkLocal // includes cloud metadata 169.254.169.254
        elif a = 172 && b1 >= 16 && b1 <= 31 then
            AddressClass.Private
        elif a = 192 && b1 = 168 then
            AddressClass.Private
        elif a = 192 && b1 = 0 && (c = 0 || c = 2) then
            AddressClass.Reserved // protocol assignments, TEST-NET-1
        elif a = 192 && b1 = 88 && c = 99 then
            AddressClass.Reserved // deprecated 6to4 relay anycast
        elif a = 198 && (b1 = 18 || b1 = 19) then
            AddressClass.Reserved // benchmarking
        elif a = 198 && b1 = 51 && c = 100 then
            AddressClass.Reserved // TEST-NET-2
        elif a = 203 && b1 = 0 && c = 113 then
            AddressClass.Reserved // TEST-NET-3
        elif a >= 224 && a <= 239 then
            AddressClass.Multicast
        elif a = 255 && b1 = 255 && c = 255 && b[3] = 255uy then
            AddressClass.Broadcast
        elif a >= 240 then
            AddressClass.Reserved
        else
            AddressClass.Public

    let private allZero (b: byte[]) (from: int) (until: int) =
        seq { from .. until - 1 } |> Seq.forall (fun i -> b[i] = 0uy)

    let private classifyV6 (b: byte[]) =
        let embedded (at: int) = classifyV4 b[at .. at + 3]

        if allZero b 0 16 then
            AddressClass.Unspecified
        elif allZero b 0 15 && b[15] = 1uy then
            AddressClass.Loopback
        elif allZero b 0 10 && b[10] = 0xFFuy && b[11] = 0xFFuy then
            embedded 12 // IPv4-mapped ::ffff:a.b.c.d
        elif allZero b 0 12 then
            embedded 12 // IPv4-compatible ::a.b.c.d
        elif allZero b 0 8 && b[8] = 0xFFuy && b[9] = 0xFFuy && b[10] = 0uy && b[11] = 0uy then
            embedded 12 // IPv4-translated ::ffff:0:a.b.c.d
        elif b[0] = 0uy && b[1] = 0x64uy && b[2] = 0xFFuy && b[3] = 0x9Buy && allZero b 4 12 then
            embedded 12 // NAT64 64:ff9b::a.b.c.d
        elif b[0] = 0uy && b[1] = 0x64uy && b[2] = 0xFFuy && b[3] = 0x9Buy then
            AddressClass.Reserved // local-use NAT64 64:ff9b:1::/48 and the rest of 64:ff9b::/32
        elif b[0] = 0x20uy && b[1] = 0x02uy then
            embedded 2 // 6to4 2002:aabb:ccdd::
        elif b[0] = 0x20uy && b[1] = 0x01uy && b[2] = 0uy && b[3] < 0x02uy then
            AddressClass.Reserved // 2001::/23 protocol assignments: Teredo, benchmarking, ORCHID
        elif b[0] = 0x20uy && b[1] = 0x01uy && b[2] = 0x0Duy && b[3] = 0xB8uy then
            AddressClass.Reserved // documentation 2001:db8::/32
        elif b[0] = 0x3Fuy && b[1] = 0xFFuy && b[2] < 0x10uy then
            AddressClass.Reserved // documentation 3fff::/20
        elif b[0] &&& 0xFEuy = 0xFCuy then
            AddressClass.Private // unique local fc00::/7
        elif b[0] = 0xFEuy && b[1] &&& 0xC0uy = 0x80uy then
            AddressClass.LinkLocal // fe80::/10
        elif b[0] = 0xFEuy && b[1] &&& 0xC0uy = 0xC0uy then
            AddressClass.Private // deprecated site-local fec0::/10
        elif b[0] = 0xFFuy then
            AddressClass.Multicast
        elif b[0] &&& 0xE0uy = 0x20uy then
            AddressClass.Public // global unicast 2000::/3
        else
            AddressClass.Reserved

    /// The class of an address; IPv6 forms that embed an IPv4 address take that address's class.
    let classify (address: System.Net.IPAddress) =
        if isNull address then
            AddressClass.Reserved
        else
            match address.GetAddressBytes() with
            | b when b.Length = 4 -> classifyV4 b
            | b when b.Length = 16 -> classifyV6 b
            | _ -> AddressClass.Reserved

    let isPublic (address: System.Net.IPAddress) = classify address = AddressClass.Public

    /// "loopback", "private", …: for one-line refusals.
    let describe (addressClass: AddressClass) =
        match addressClass with
        | AddressClass.Public -> "public"
        | AddressClass.Loopback -> "loopback"
        | AddressClass.Private -> "private"
        | AddressClass.LinkLocal -> "link-local"
        | AddressClass.CarrierGradeNat -> "carrier-grade NAT"
        | AddressClass.Unspecified -> "unspecified"
        | AddressClass.Multicast -> "multicast"
        | AddressClass.Broadcast -> "broadcast"
        | AddressClass.Reserved -> "reserved"

    let private isOctalDigit (c: char) = c >= '0' && c <= '7'

    let private digitValue (c: char) =
        if c <= '9' then
            uint64 c - uint64 '0'
        else
            uint64 (Char.ToLowerInvariant c) - uint64 'a' + 10UL

    /// One dot-separated part of an inet_aton/WHATWG IPv4 host: decimal, 0-prefixed octal or 0x-prefixed hex.
    let private parsePart (part: string) : uint64 option =
        let digits (isDigit: char -> bool) (radix: uint64) (maxDigits: int) (text: string) =
            let significant = text.TrimStart '0'

            if not (String.forall isDigit text) || significant.Length > maxDigits then
                None
            else
                significant |> Seq.fold (fun acc c -> acc * radix + digitValue c) 0UL |> Some

        if part = "" then
            None
        elif part.StartsWith("0x", StringComparison.OrdinalIgnoreCase) then
            digits Char.IsAsciiHexDigit 16UL 8 (part.Substring 2)
        elif part.Length > 1 && part[0] = '0' then
            digits isOctalDigit 8UL 11 (part.Substring 1)
        else
            digits Char.IsAsciiDigit 10UL 10 part

    /// The IPv4 address a resolver reads from 1 to 4 numeric parts (127.1, 0x7f.1, 2130706433, 0177.0.0.1).
    let private parseV4 (host: string) =
        let host =
            if host.EndsWith '.' then
                host.Substring(0, host.Length - 1)
            else
                host

        let parts = host.Split '.'

        if parts.Length > 4 then
            None
        else
            let values = parts |> Array.map parsePart

            if values |> Array.exists Option.isNone then
                None
            else
                let values = values |> Array.map Option.get
                let leading = values[.. values.Length - 2]
                let last = values[values.Length - 1]
                let lastMax = (1UL <<< (8 * (5 - values.Length))) - 1UL

                if leading |> Array.exists (fun v -> v > 255UL) || last > lastMax then
                    None
                else
                    let value =
                        (leading |> Array.fold (fun acc v -> (acc <<< 8) + v) 0UL)
                        <<< (8 * (5 - values.Length))
                        ||| last

                    Some(System.Net.IPAddress([| byte (value >>> 24); byte (value >>> 16); byte (value >>> 8); byte value |]))

    let private parseV6 (host: string) =
        match System.Net.IPAddress.TryParse host with
        | true, address when address.GetAddressBytes().Length = 16 ->
            // The zone (%eth0) is dropped: it does not change which class the address is in.
            Some(System.Net.IPAddress(address.GetAddressBytes()))
        | _ -> None

    /// The address a host names when it is an IP literal in any spelling; None for a DNS name.
    let parseHost (host: string) =
        match Validation.nonBlank host with
        | None -> None
        | Some h when h.StartsWith '[' && h.EndsWith ']' -> parseV6 (h.Substring(1, h.Length - 2))
        | Some h when h.Contains ':' -> parseV6 h
        | Some h when h.Length <= 64 -> parseV4 h
        | Some _ -> None

    /// Lower-case, no brackets, no trailing dot, IP literals in canonical form: two spellings of one host compare equal.
    let normalizeHost (host: string) =
        match parseHost host with
        | Some address -> address.ToString()
        | None ->
            let h = (if isNull host then "" else host.Trim()).ToLowerInvariant()
            if h.EndsWith '.' then h.Substring(0, h.Length - 1) else h

    /// The origin of an absolute http(s) URL; ports default to 80/443.
    let originOf (url: string) =
        match Validation.nonBlank url with
        | None -> None
        | Some value ->
            match Uri.TryCreate(value, UriKind.Absolute) with
            | true, uri when
                (uri.Scheme = Uri.UriSchemeHttp || uri.Scheme = Uri.UriSchemeHttps)
                && uri.Host <> ""
                ->
                Some
                    {
                        Scheme = uri.Scheme
                        Host = normalizeHost uri.IdnHost
                        Port = uri.Port
                    }
            | _ -> None

    /// True when host:port is one of the trusted origins (host compared case-insensitively, in any spelling).
    let isTrusted (trusted: Origin list) (host: string) (port: int) =
        let host = normalizeHost host

        (if isNull (box trusted) then [] else trusted)
        |> List.exists (fun origin -> origin.Port = port && normalizeHost origin.Host = host)

    /// The connect-time rule: allowed when the address is public, or when host:port is one of the trusted origins.
    let mayConnect (trusted: Origin list) (host: string) (port: int) (address: System.Net.IPAddress) =
        isPublic address || isTrusted trusted host port
