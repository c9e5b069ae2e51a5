namespace Hermes.Providers.Http;

/// <summary>A read-only view of a body whose every read must bring bytes within the idle gap; a silent server is cancelled, not waited on.</summary>
internal sealed class IdleGuardedStream(Stream inner, TimeSpan idle, CancellationToken ct) : Stream
{
    private readonly CancellationTokenSource silence = CancellationTokenSource.CreateLinkedTokenSource(ct);

    /// <summary>True once a read was cancelled because the server said nothing for the idle gap.</summary>
    public bool WentSilent { get; private set; }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        silence.CancelAfter(idle);
        try
        {
            return await inner.ReadAsync(buffer, silence.Token);
        }
        catch (OperationCanceledException) when (silence.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            WentSilent = true;
            throw;
        }
        finally
        {
            silence.CancelAfter(Timeout.InfiniteTimeSpan);
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("read asynchronously");
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            silence.Dispose();
            inner.Dispose();
        }
        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        silence.Dispose();
        await inner.DisposeAsync();
        await base.DisposeAsync();
    }
}
