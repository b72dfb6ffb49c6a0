using System.Diagnostics;
using System.Threading.Channels;
using Digest.Ledger;

namespace Digest.Storage.LiteDb;

/// <summary>
/// Group commit of outcomes: what all connections report is appended to the <see cref="OutcomeJournal"/> and
/// made durable together, and each sender waits for that before it sends again. So a crash can leave at most
/// one accepted-but-unrecorded message per connection. The ledger in the store takes the outcomes in batches
/// (every <see cref="LedgerBatch"/> outcomes or <see cref="LedgerInterval"/>), and the journal is emptied once
/// they are there.
/// </summary>
internal sealed class LedgerWriter : IOutcomeRecorder
{
    private const int LedgerBatch = 2000;
    private static readonly TimeSpan LedgerInterval = TimeSpan.FromSeconds(1);
    private readonly LiteDbDeliveryLedger _ledger;
    private readonly OutcomeJournal.Writer _journal;
    private readonly IHeldLease _lease;
    private readonly Channel<(DeliveryRecord Delivery, TaskCompletionSource Durable)> _queue =
        Channel.CreateUnbounded<(DeliveryRecord, TaskCompletionSource)>(new UnboundedChannelOptions { SingleReader = true });
    private readonly List<DeliveryRecord> _unwritten = [];
    private readonly Task _loop;
    private long _lastLedgerWrite = Stopwatch.GetTimestamp();

    public LedgerWriter(LiteDbDeliveryLedger ledger, OutcomeJournal journal, IHeldLease lease)
    {
        _ledger = ledger;
        _lease = lease;
        _journal = journal.Open();
        _loop = Task.Run(LoopAsync);
    }

    /// <summary>Completes when the outcome is durable (journaled and flushed to disk).</summary>
    public Task RecordAsync(DeliveryRecord delivery)
    {
        var durable = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_queue.Writer.TryWrite((delivery, durable)))
            durable.SetException(new InvalidOperationException("The ledger writer has stopped."));
        return durable.Task;
    }

    private async Task LoopAsync()
    {
        var batch = new List<(DeliveryRecord Delivery, TaskCompletionSource Durable)>();
        while (true)
        {
            var more = await WaitAsync();
            while (_queue.Reader.TryRead(out var item)) batch.Add(item);
            if (batch.Count > 0)
            {
                try
                {
                    foreach (var (delivery, _) in batch) _journal.Append(delivery);
                    _journal.Flush();
                    foreach (var (delivery, durable) in batch)
                    {
                        _unwritten.Add(delivery);
                        durable.SetResult();
                    }
                }
                catch (Exception e)
                {
                    foreach (var (_, durable) in batch) durable.TrySetException(e);
                }
                batch.Clear();
            }
            if (_unwritten.Count >= LedgerBatch || !more || Stopwatch.GetElapsedTime(_lastLedgerWrite) >= LedgerInterval)
                WriteLedger();
            if (!more) return;
        }
    }

    /// <summary>Waits for outcomes, at most until the ledger is due; false when no more will come.</summary>
    private async Task<bool> WaitAsync()
    {
        if (_unwritten.Count == 0) return await _queue.Reader.WaitToReadAsync();
        using var due = new CancellationTokenSource(LedgerInterval);
        try
        {
            return await _queue.Reader.WaitToReadAsync(due.Token);
        }
        catch (OperationCanceledException)
        {
            return true;
        }
    }

    private void WriteLedger()
    {
        _lastLedgerWrite = Stopwatch.GetTimestamp();
        if (_unwritten.Count == 0) return;
        // Only the lease holder writes the ledger and empties the journal: a sender that lost the lease would
        // overwrite what the new holder records, and the journal is the new holder's to replay.
        if (!_lease.IsHeld)
        {
            _unwritten.Clear();
            return;
        }
        _ledger.Record(_unwritten);
        _unwritten.Clear();
        // Everything journaled so far is in the ledger: the journal only needs what comes next.
        _journal.Truncate();
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        try
        {
            await _loop;
        }
        finally
        {
            _journal.Dispose();
        }
    }
}
