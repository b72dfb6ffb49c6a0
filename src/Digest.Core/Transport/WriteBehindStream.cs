using System.Buffers;
using System.Net.Sockets;

namespace Digest.Transport;

/// <summary>
/// The socket stream MailKit talks SMTP over: it holds what MailKit writes until MailKit flushes or reads,
/// then sends it in one socket write. MailKit's <c>SmtpStream</c> passes a message on in 4 KB writes, each a
/// system call and an asynchronous completion of its own: a 60 KB digest took about 16 sends where one does.
/// Reading first sends what is held, as a reply can only follow what the server has seen (a TLS handshake
/// reads without flushing). Timeouts work as in MailKit's own socket stream: <see cref="ReadTimeout"/> and
/// <see cref="WriteTimeout"/> (Digest:Smtp:Timeout) bound each read and write, and end in a
/// <see cref="TimeoutException"/> with the socket closed.
/// </summary>
internal sealed class WriteBehindStream(Socket socket) : Stream
{
    private const int InitialCapacity = 16 * 1024;
    private byte[] _held = ArrayPool<byte>.Shared.Rent(InitialCapacity);
    private int _count;

    public override bool CanRead => true;
    public override bool CanWrite => true;
    public override bool CanSeek => false;
    public override bool CanTimeout => true;
    public override int ReadTimeout { get; set; } = Timeout.Infinite;
    public override int WriteTimeout { get; set; } = Timeout.Infinite;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override void Write(byte[] buffer, int offset, int count) => Hold(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer) => Hold(buffer);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Hold(buffer.AsSpan(offset, count));
        return Task.CompletedTask;
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Hold(buffer.Span);
        return ValueTask.CompletedTask;
    }

    public override void Flush() => Send();

    public override Task FlushAsync(CancellationToken cancellationToken) => SendAsync(cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        Send();
        socket.ReceiveTimeout = Math.Max(0, ReadTimeout);
        try
        {
            return socket.Receive(buffer, SocketFlags.None);
        }
        catch (SocketException e)
        {
            throw Failed(e, ReadTimeout);
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await SendAsync(cancellationToken);
        using var timeout = Deadline(ReadTimeout, cancellationToken);
        try
        {
            return await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException)
        {
            throw Failed(e, ReadTimeout, cancellationToken);
        }
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    private void Hold(ReadOnlySpan<byte> bytes)
    {
        if (_count + bytes.Length > _held.Length)
        {
            var larger = ArrayPool<byte>.Shared.Rent(Math.Max(_held.Length * 2, _count + bytes.Length));
            _held.AsSpan(0, _count).CopyTo(larger);
            if (_held.Length > 0) ArrayPool<byte>.Shared.Return(_held);
            _held = larger;
        }
        bytes.CopyTo(_held.AsSpan(_count));
        _count += bytes.Length;
    }

    private void Send()
    {
        if (_count == 0) return;
        // Emptied first: after a failed write the session is dropped, and nothing half-sent may go again.
        var count = _count;
        _count = 0;
        socket.SendTimeout = Math.Max(0, WriteTimeout);
        try
        {
            for (var sent = 0; sent < count;) sent += socket.Send(_held, sent, count - sent, SocketFlags.None);
        }
        catch (SocketException e)
        {
            throw Failed(e, WriteTimeout);
        }
    }

    private async ValueTask SendAsync(CancellationToken cancellationToken)
    {
        if (_count == 0) return;
        var count = _count;
        _count = 0;
        using var timeout = Deadline(WriteTimeout, cancellationToken);
        try
        {
            for (var sent = 0; sent < count;) sent += await socket.SendAsync(_held.AsMemory(sent, count - sent), SocketFlags.None, timeout.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException)
        {
            throw Failed(e, WriteTimeout, cancellationToken);
        }
    }

    private static CancellationTokenSource Deadline(int milliseconds, CancellationToken cancellationToken)
    {
        var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (milliseconds > 0) deadline.CancelAfter(milliseconds);
        return deadline;
    }

    /// <summary>What MailKit expects of its socket stream: the caller's cancellation as it is, a timeout as <see cref="TimeoutException"/>, the rest as <see cref="IOException"/>.</summary>
    private Exception Failed(Exception e, int timeout, CancellationToken cancellationToken = default)
    {
        // The session is in an unknown state after any of these: nothing more goes over this socket.
        socket.Dispose();
        if (e is OperationCanceledException && cancellationToken.IsCancellationRequested) return e;
        if (e is OperationCanceledException || e is SocketException { SocketErrorCode: SocketError.TimedOut or SocketError.WouldBlock })
            return new TimeoutException($"Operation timed out after {timeout} milliseconds", e);
        return new IOException(e.Message, e);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            socket.Dispose();
            ArrayPool<byte>.Shared.Return(Interlocked.Exchange(ref _held, []));
            _count = 0;
        }
        base.Dispose(disposing);
    }
}
