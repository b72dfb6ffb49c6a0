using System.Threading.Channels;
using Digest.Ledger;

namespace Digest.Storage.PostgreSql;


/// <summary>
/// Group commit: outcomes of every connection queue up while one transaction is being written, and the next
/// transaction takes all of them, so one commit (one fsync on the server) covers many messages. Each outcome is
/// written only where the reader's claim still carries this worker's slot token, checked by the update itself:
/// a worker whose slot expired (paused, stalled) never overwrites what the worker that took its readers recorded.
/// </summary>
internal sealed class PostgreSqlOutcomeRecorder : IOutcomeRecorder
{
    private readonly PostgreSqlStore _store;
    private readonly PostgreSqlDeliveryLedger _ledger;
    private readonly IHeldLease _lease;
    private readonly Channel<(DeliveryRecord DeliveryRecord, TaskCompletionSource Durable)> _queue =
        Channel.CreateUnbounded<(DeliveryRecord, TaskCompletionSource)>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _writer;

    public PostgreSqlOutcomeRecorder(PostgreSqlStore store, PostgreSqlDeliveryLedger ledger, IHeldLease lease)
    {
        _store = store;
        _ledger = ledger;
        _lease = lease;
        _writer = Task.Run(WriteAsync);
    }

    public Task RecordAsync(DeliveryRecord delivery)
    {
        var durable = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_queue.Writer.TryWrite((delivery, durable)))
            durable.SetException(new InvalidOperationException("The outcome recorder is closed."));
        return durable.Task;
    }

    private async Task WriteAsync()
    {
        var batch = new List<(DeliveryRecord DeliveryRecord, TaskCompletionSource Durable)>();
        while (await _queue.Reader.WaitToReadAsync())
        {
            batch.Clear();
            while (batch.Count < 2000 && _queue.Reader.TryRead(out var item)) batch.Add(item);
            try
            {
                var taken = Write(batch.Select(b => b.DeliveryRecord).ToList());
                for (var i = 0; i < batch.Count; i++)
                    if (taken.Contains(i)) batch[i].Durable.TrySetException(new SenderLeaseLostException(batch[i].DeliveryRecord.Edition));
                    else batch[i].Durable.TrySetResult();
            }
            // 25P03: idle_in_transaction_session_timeout.
            catch (Npgsql.PostgresException e) when (e.SqlState == "25P03")
            {
                // The server ended the transaction of a worker paused past its slot (see Write): nothing of it was written.
                foreach (var (delivery, durable) in batch) durable.TrySetException(new SenderLeaseLostException(delivery.Edition));
            }
            catch (Exception e)
            {
                foreach (var (_, durable) in batch) durable.TrySetException(e);
            }
        }
    }

    /// <returns>The positions of the outcomes not written: their readers were claimed by another worker since.</returns>
    private HashSet<int> Write(IReadOnlyCollection<DeliveryRecord> outcomes) => _store.InTransaction((connection, transaction) =>
    {
        if (!_lease.IsHeld) throw new SenderLeaseLostException(outcomes.First().Edition);
        // A worker paused (SIGSTOP, a suspended VM) between its updates and their commit would hold the readers'
        // row locks for as long as it is paused, and the others skip locked rows: the server ends such a session
        // once its slot has expired, so the readers go to the others. A settled setting, not input: no injection.
        using (var timeout = PostgreSqlStore.Command(connection, transaction,
                   $"SET LOCAL idle_in_transaction_session_timeout = {(long)_ledger.ClaimDuration.TotalMilliseconds}"))
            timeout.ExecuteNonQuery();
        // The fence in the database itself: an update whose reader's claim is no longer this slot's changes no row.
        // The claim is taken over by an update of the same row, so the two are ordered by the row lock.
        using var batch = _ledger.Outcomes(connection, transaction, outcomes, _lease.Token, out var updates);
        batch.ExecuteNonQuery();
        return Enumerable.Range(0, updates.Count).Where(i => updates[i].RecordsAffected == 0).ToHashSet();
    });

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _writer;
    }
}
