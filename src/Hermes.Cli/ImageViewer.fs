/// `--preview` and `--open`: showing a made image in the terminal or the system viewer; neither can fail the command.
module Hermes.Cli.ImageViewer

open System
open System.ComponentModel
open System.Diagnostics
open System.IO
open System.Runtime.InteropServices
open Hermes.Domain

let private variable (name: string) =
    Environment.GetEnvironmentVariable name |> Option.ofObj

/// The protocol this terminal speaks, from TERM, TERM_PROGRAM and KITTY_WINDOW_ID.
let protocol () =
    TerminalGraphics.detect (variable "TERM") (variable "TERM_PROGRAM") (variable "KITTY_WINDOW_ID")

/// Draws each local image on stderr (stdout stays paths or the one JSON document); nothing when the terminal has no
/// inline-image protocol or the image is not a local file (a URL is never fetched for a preview).
let preview (images: string list) =
    match protocol () with
    | None -> ()
    | Some graphics ->
        for image in images do
            let bytes =
                try
                    if Path.IsPathFullyQualified image && File.Exists image then
                        Some(File.ReadAllBytes image)
                    else
                        None
                with e when (e :? IOException || e :? UnauthorizedAccessException) ->
                    Terminal.warn $"cannot preview '{image}': {e.Message}"
                    None

            match bytes with
            | None -> ()
            | Some bytes ->
                match
                    ImageHeader.read bytes
                    |> Option.bind (fun info -> TerminalGraphics.sequence graphics info.Format bytes)
                with
                | Some drawn ->
                    Console.Error.Write drawn
                    Console.Error.Flush()
                | None -> ()

/// The system's opener for a file: `open` on macOS, `cmd /c start` on Windows, else xdg-open.
let private opener (path: string) =
    if RuntimeInformation.IsOSPlatform OSPlatform.OSX then
        "open", [ path ]
    elif RuntimeInformation.IsOSPlatform OSPlatform.Windows then
        "cmd", [ "/c"; "start"; "\"\""; path ]
    else
        "xdg-open", [ path ]

/// Opens each saved image with the system viewer, not waiting for it; a missing opener is one warning, never a failure.
/// A provider's URL (kept when its download failed) is never handed to the opener: a server does not choose what opens.
let openAll (images: string list) =
    for image in images do
        if not (Path.IsPathFullyQualified image && File.Exists image) then
            Terminal.warn "not opening an image that is not a saved local file (its download failed; the URL is printed)"
        else
            let program, args = opener image

            try
                // Its output never reaches stdout, which carries the paths or the one JSON document.
                let info =
                    ProcessStartInfo(program, args, UseShellExecute = false, RedirectStandardOutput = true)

                use _ = Process.Start info
                ()
            with :? Win32Exception as e ->
                Terminal.warn $"cannot open '{image}' with {program}: {e.Message}"
