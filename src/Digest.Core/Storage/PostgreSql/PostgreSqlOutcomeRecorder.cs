using System.Threading.Channels;
using Digest.Ledger;

namespace Digest.Storage.PostgreSql;


/// <summary>
/// Group commit: outcomes of every connection queue up while one transaction is being written, and the next
/// transaction takes all of them, so one commit (one fsync on the server) covers many messages. Each batch also
/// checks the lease row's fencing token under a share lock, so a worker that lost the lease writes nothing.
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
                Write(batch.Select(b => b.DeliveryRecord).ToList());
                foreach (var (_, durable) in batch) durable.TrySetResult();
            }
            catch (Exception e)
            {
                foreach (var (_, durable) in batch) durable.TrySetException(e);
            }
        }
    }

    private void Write(IReadOnlyCollection<DeliveryRecord> outcomes) => _store.InTransaction((connection, transaction) =>
    {
        if (!_lease.IsHeld) throw new SenderLeaseLostException(outcomes.First().Edition);
        // The fence in the database itself: the lease row still carries this worker's token, and stays so
        // until the outcomes are committed (a take-over waits on the share lock).
        using (var fence = PostgreSqlStore.Command(connection, transaction, "SELECT 1 FROM leases WHERE id = 'sender' AND token = $1 FOR SHARE", _lease.Token))
            if (fence.ExecuteScalar() is null) throw new SenderLeaseLostException(outcomes.First().Edition);
        using var batch = _ledger.Outcomes(connection, transaction, outcomes);
        batch.ExecuteNonQuery();
        return 0;
    });

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _writer;
    }
}
