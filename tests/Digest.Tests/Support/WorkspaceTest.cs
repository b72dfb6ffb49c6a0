namespace Digest.Tests.Support;

/// <summary>A test class with a throwaway Digest installation of its own, made fresh for each test.</summary>
public abstract class WorkspaceTest : IDisposable
{
    protected TestWorkspace Ws { get; } = new();

    public void Dispose()
    {
        Ws.Dispose();
        GC.SuppressFinalize(this);
    }
}
