module Hermes.Tests.Main

[<EntryPoint>]
let main _ = 0
