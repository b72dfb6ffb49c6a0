using System.Threading.Channels;

namespace Digest.Delivery;

/// <summary>
/// Group commit for the ledger: outcomes from all connections are written together in one transaction,
/// and each sender waits for its outcome's commit before it sends again. So a crash can leave at most one
/// accepted-but-unrecorded message per connection, while the ledger costs one commit per batch.
/// </summary>
internal sealed class LedgerWriter : IAsyncDisposable
{
    private const int MaxBatch = 1000;
    private readonly DeliveryLedger _ledger;
    private readonly Channel<(Delivery Delivery, TaskCompletionSource Committed)> _queue =
        Channel.CreateUnbounded<(Delivery, TaskCompletionSource)>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _loop;

    public LedgerWriter(DeliveryLedger ledger)
    {
        _ledger = ledger;
        _loop = Task.Run(LoopAsync);
    }

    /// <summary>Completes when the outcome is committed to the store.</summary>
    public Task RecordAsync(Delivery delivery)
    {
        var committed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_queue.Writer.TryWrite((delivery, committed)))
            committed.SetException(new InvalidOperationException("The ledger writer has stopped."));
        return committed.Task;
    }

    private async Task LoopAsync()
    {
        var batch = new List<(Delivery Delivery, TaskCompletionSource Committed)>();
        while (await _queue.Reader.WaitToReadAsync())
        {
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var item)) batch.Add(item);
            try
            {
                _ledger.Record(batch.ConvertAll(b => b.Delivery));
                foreach (var b in batch) b.Committed.SetResult();
            }
            catch (Exception e)
            {
                foreach (var b in batch) b.Committed.SetException(e);
            }
            batch.Clear();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _loop;
    }
}
