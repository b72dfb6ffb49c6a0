using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Digest.Tests.Support;

/// <summary>Keeps the log lines an admin would read, formatted as the console shows them, for tests to assert on.</summary>
public sealed class LogCapture : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _lines = new();

    public IReadOnlyList<string> Lines => _lines.ToArray();

    public string Text => string.Join(Environment.NewLine, Lines);

    public async Task<string> WaitForAsync(string fragment, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (Lines.FirstOrDefault(l => l.Contains(fragment, StringComparison.Ordinal)) is { } line) return line;
            await Task.Delay(50);
        }
        throw new TimeoutException($"No log line with \"{fragment}\" within {timeout}; the log was:{Environment.NewLine}{Text}");
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this);

    public void Dispose() { }

    private sealed class Logger(LogCapture capture) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            capture._lines.Enqueue($"{logLevel}: {formatter(state, exception)}");
    }
}
