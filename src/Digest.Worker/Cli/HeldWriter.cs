using System.Text;

namespace Digest.Worker.Cli;

/// <summary>
/// Standard error of a terminal session: passes writes through, except while a live display (the send's progress
/// bar) owns the terminal, when log lines are held and written after it in the order they came. The console logger
/// writes whole lines from its own thread; a line that lands inside a redraw of the bar comes out in fragments.
/// </summary>
public sealed class HeldWriter(TextWriter inner) : TextWriter
{
    private readonly Lock _lock = new();
    private readonly StringBuilder _held = new();
    private bool _holding;

    /// <summary>The terminal itself, for the live display.</summary>
    public TextWriter Inner { get; } = inner;

    public override Encoding Encoding => Inner.Encoding;

    /// <summary>Holds writes until the returned scope ends, then writes them out.</summary>
    public IDisposable Hold()
    {
        lock (_lock) _holding = true;
        return new Release(this);
    }

    public override void Write(char value)
    {
        lock (_lock)
        {
            if (_holding) _held.Append(value);
            else Inner.Write(value);
        }
    }

    public override void Write(string? value)
    {
        lock (_lock)
        {
            if (_holding) _held.Append(value);
            else Inner.Write(value);
        }
    }

    public override void Write(char[] buffer, int index, int count) => Write(new string(buffer, index, count));

    public override void WriteLine(string? value) => Write(value + NewLine);

    public override void Flush()
    {
        lock (_lock) if (!_holding) Inner.Flush();
    }

    private void End()
    {
        lock (_lock)
        {
            _holding = false;
            Inner.Write(_held.ToString());
            _held.Clear();
            Inner.Flush();
        }
    }

    private sealed class Release(HeldWriter writer) : IDisposable
    {
        public void Dispose() => writer.End();
    }
}
