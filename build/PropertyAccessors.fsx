/// Marks every property accessor of a compiled assembly `specialname`, as C# emits them.
/// F# leaves the accessors of union properties unmarked, and NativeAOT keeps a property's custom
/// attributes only through a `specialname` accessor: without them FSharp.Core sees every union case
/// as a case without fields, and Argu cannot build its parser. Usage: dotnet fsi build/PropertyAccessors.fsx ASSEMBLY
open System
open System.IO
open System.Reflection
open System.Reflection.Metadata
open System.Reflection.Metadata.Ecma335
open System.Reflection.PortableExecutable

let specialName = uint16 MethodAttributes.SpecialName

/// File offsets of the Flags column of every property accessor that lacks `specialname`.
let unmarkedAccessorFlags (image: byte[]) =
    use pe = new PEReader(new MemoryStream(image))
    let md = pe.GetMetadataReader()
    let methodTable = pe.PEHeaders.MetadataStartOffset + md.GetTableMetadataOffset TableIndex.MethodDef
    let rowSize = md.GetTableRowSize TableIndex.MethodDef
    // MethodDef row: RVA (4 bytes), ImplFlags (2), Flags (2), ...
    let flagsColumn = 6

    [
        for property in md.PropertyDefinitions do
            let accessors = md.GetPropertyDefinition(property).GetAccessors()

            for accessor in [ accessors.Getter; accessors.Setter ] do
                if not accessor.IsNil
                   && (uint16 (md.GetMethodDefinition(accessor).Attributes) &&& specialName) = 0us then
                    methodTable + (MetadataTokens.GetRowNumber accessor - 1) * rowSize + flagsColumn
    ]
    |> List.distinct

let mark (path: string) =
    let image = File.ReadAllBytes path
    let offsets = unmarkedAccessorFlags image

    for offset in offsets do
        let flags = BitConverter.ToUInt16(image, offset) ||| specialName
        image[offset] <- byte flags
        image[offset + 1] <- byte (flags >>> 8)

    if not offsets.IsEmpty then
        let temp = path + ".accessors"
        File.WriteAllBytes(temp, image)
        File.Move(temp, path, true)

    offsets.Length

match fsi.CommandLineArgs |> Array.tail with
| [| path |] when File.Exists path ->
    let marked = mark path
    Console.WriteLine($"{Path.GetFileName path}: {marked} property accessors marked specialname")
| args ->
    Console.Error.WriteLine($"usage: dotnet fsi build/PropertyAccessors.fsx ASSEMBLY (got: {String.Join(' ', args)})")
    exit 2
