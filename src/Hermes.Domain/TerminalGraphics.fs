namespace Hermes.Domain

open System

/// The inline-image protocols `--preview` can speak.
[<RequireQualifiedAccess>]
type GraphicsProtocol =
    | Kitty
    | ITerm2

/// Which terminal shows images inline, from what its environment says, and the escape sequence that shows one.
module TerminalGraphics =

    let private given (value: string option) =
        value |> Option.map (fun v -> v.Trim()) |> Option.filter (fun v -> v <> "")

    /// kitty (KITTY_WINDOW_ID, TERM=xterm-kitty) and Ghostty speak kitty's protocol; iTerm2 and WezTerm speak iTerm2's.
    let detect (term: string option) (termProgram: string option) (kittyWindowId: string option) : GraphicsProtocol option =
        let program = given termProgram |> Option.map (fun p -> p.ToLowerInvariant())
        let term = given term |> Option.map (fun t -> t.ToLowerInvariant())

        if
            (given kittyWindowId).IsSome
            || term = Some "xterm-kitty"
            || term = Some "xterm-ghostty"
            || program = Some "ghostty"
        then
            Some GraphicsProtocol.Kitty
        elif program = Some "iterm.app" || program = Some "wezterm" then
            Some GraphicsProtocol.ITerm2
        else
            None

    /// kitty sends base64 in chunks of at most 4096 bytes.
    let kittyChunk = 4096

    /// The escape sequence that draws the image, or None where the protocol cannot show this format (kitty takes PNG only).
    let sequence (protocol: GraphicsProtocol) (format: ImageFormat) (bytes: byte[]) : string option =
        let data = Convert.ToBase64String bytes

        match protocol with
        | GraphicsProtocol.ITerm2 -> Some $"\u001b]1337;File=inline=1;size={bytes.Length};preserveAspectRatio=1:{data}\u0007\n"
        | GraphicsProtocol.Kitty when format = ImageFormat.Png ->
            let chunks =
                match data |> Seq.chunkBySize kittyChunk |> Seq.map String |> List.ofSeq with
                | [] -> [ "" ]
                | some -> some

            let last = chunks.Length - 1

            chunks
            |> List.mapi (fun i chunk ->
                let more = if i = last then 0 else 1

                let control =
                    if i = 0 then
                        $"a=T,f=100,m={more}"
                    else
                        $"m={more}"

                $"\u001b_G{control};{chunk}\u001b\\")
            |> String.concat ""
            |> fun drawn -> Some(drawn + "\n")
        | GraphicsProtocol.Kitty -> None
