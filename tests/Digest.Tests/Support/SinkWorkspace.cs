using Digest.Tests.Sink;

namespace Digest.Tests.Support;

/// <summary>A workspace that delivers to its own in-process SMTP sink, with the given comparisons ready to import; disposed together.</summary>
public sealed class SinkWorkspace : IAsyncDisposable
{
    public SmtpSink Sink { get; } = new();
    public TestWorkspace Workspace { get; }

    public SinkWorkspace(params object[] comparisons)
    {
        Workspace = new TestWorkspace(Sink);
        if (comparisons.Length > 0) Workspace.WriteComparisons("c.json", comparisons);
    }

    public async ValueTask DisposeAsync()
    {
        await Sink.DisposeAsync();
        Workspace.Dispose();
    }
}
