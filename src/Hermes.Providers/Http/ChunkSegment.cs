using System.Buffers;

namespace Hermes.Providers.Http;

/// <summary>One chunk of a <see cref="ResponseBody"/>'s sequence.</summary>
internal sealed class ChunkSegment : ReadOnlySequenceSegment<byte>
{
    public ChunkSegment(ReadOnlyMemory<byte> memory, long runningIndex)
    {
        Memory = memory;
        RunningIndex = runningIndex;
    }

    public ChunkSegment Append(ReadOnlyMemory<byte> memory)
    {
        var next = new ChunkSegment(memory, RunningIndex + Memory.Length);
        Next = next;
        return next;
    }
}
