using Digest.Tests.Sink;

namespace Digest.Tests.Support;

/// <summary>
/// A test class whose workspace delivers to an in-process SMTP sink of its own, both made fresh for each
/// test and disposed after it.
/// </summary>
public abstract class SinkTest : IAsyncLifetime
{
    protected SmtpSink Sink { get; } = new();
    protected TestWorkspace Ws { get; }

    /// <param name="comparisons">Written to the workspace's import folder, so the first run has content.</param>
    protected SinkTest(params object[] comparisons)
    {
        Ws = new TestWorkspace(Sink);
        if (comparisons.Length > 0) Ws.WriteComparisons("c.json", comparisons);
    }

    public virtual Task InitializeAsync() => Task.CompletedTask;

    public virtual async Task DisposeAsync()
    {
        await Sink.DisposeAsync();
        Ws.Dispose();
    }
}
