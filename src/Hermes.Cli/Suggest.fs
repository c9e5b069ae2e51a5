/// Did-you-mean: the nearest allowed name to a mistyped one, by edit distance.
module Hermes.Cli.Suggest

open System

/// Levenshtein distance: the fewest single-character insertions, deletions and substitutions from a to b.
let distance (a: string) (b: string) =
    let previous = Array.init (b.Length + 1) id
    let current = Array.zeroCreate (b.Length + 1)

    for i in 1 .. a.Length do
        current[0] <- i

        for j in 1 .. b.Length do
            let substitution = previous[j - 1] + (if a[i - 1] = b[j - 1] then 0 else 1)
            current[j] <- min substitution (min (previous[j] + 1) (current[j - 1] + 1))

        Array.blit current 0 previous 0 current.Length

    previous[b.Length]

/// Names compare without their leading dashes and case, so `--Modle` is one transposition from `--model`.
let private core (name: string) = name.TrimStart('-').ToLowerInvariant()

/// The candidate nearest to `given`, when it is near enough to be a typo: at most 2 edits (a third of the
/// length for long names) and fewer edits than the given name has characters.
let closest (candidates: string seq) (given: string) : string option =
    let typed = core (if isNull given then "" else given)
    let limit = max 2 (typed.Length / 3)

    candidates
    |> Seq.filter (fun c -> not (String.IsNullOrEmpty c))
    |> Seq.map (fun c -> c, distance typed (core c))
    |> Seq.filter (fun (_, d) -> d <= limit && d < typed.Length)
    |> Seq.sortBy snd
    |> Seq.tryHead
    |> Option.map fst

/// "; did you mean 'x'?" when a candidate is near, else "".
let hint (candidates: string seq) (given: string) =
    match closest candidates given with
    | Some name -> $"; did you mean '{name}'?"
    | None -> ""
