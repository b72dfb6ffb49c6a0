namespace Digest.Worker.Health;

/// <summary>How the worker's most recent scheduled run ended, for the <c>last-run</c> health check.</summary>
public sealed class LastRun(TimeProvider clock)
{
    private Outcome? _outcome;

    public sealed record Outcome(DateTimeOffset At, bool Completed, string Summary);

    public Outcome? Latest => Volatile.Read(ref _outcome);

    public void Completed(string summary) => Volatile.Write(ref _outcome, new Outcome(clock.GetUtcNow(), true, summary));

    public void Failed(string reason) => Volatile.Write(ref _outcome, new Outcome(clock.GetUtcNow(), false, reason));
}
