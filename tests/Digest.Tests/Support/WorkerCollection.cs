namespace Digest.Tests.Support;

/// <summary>
/// Tests that run the worker (`run`) in-process, one at a time: Quartz keeps schedulers in a process-wide
/// repository by name, so two hosts at once share one scheduler and one's shutdown stops the other.
/// </summary>
[CollectionDefinition(Name)]
public sealed class WorkerCollection
{
    public const string Name = "In-process worker";
}
