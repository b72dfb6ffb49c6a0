using System.Collections.Concurrent;
using System.Threading.Channels;
using Digest.Editions;
using Digest.Ledger;
using Digest.Rendering;
using Digest.Transport;
using Polly;

namespace Digest.Dispatch;

/// <summary>What one dispatch shares between its connections.</summary>
internal sealed class DispatchRun(
    EditionRendering rendering,
    DispatchCounters counters,
    CancellationTokenSource halt,
    CancellationToken hardStop,
    LiveSuppressions suppressed,
    ResiliencePipeline retry,
    RelayRouting routing,
    IHeldLease lease)
{
    private readonly ConcurrentQueue<DeliveryRecord> _handedBack = new();
    private int _inFlight;

    public EditionRendering Rendering { get; } = rendering;
    public Edition Edition => Rendering.Edition;
    public DispatchCounters Counters { get; } = counters;
    public CancellationTokenSource Halt { get; } = halt;
    public CancellationToken HardStop { get; } = hardStop;
    public LiveSuppressions Suppressed { get; } = suppressed;
    public ResiliencePipeline Retry { get; } = retry;
    public RelayRouting Routing { get; } = routing;
    public DeliveryException? Fatal { get; set; }
    public IHeldLease Lease { get; } = lease;
    public volatile bool LeaseLost;

    /// <summary>One breaker per relay, by its position.</summary>
    public required RefusalBreaker[] Breakers { get; init; }

    /// <summary>Readers this run bounced or refused, to undo when a breaker trips.</summary>
    public ConcurrentBag<DeliveryRecord> Refusals { get; } = [];
    public bool Tripped { get; set; }

    /// <summary>
    /// The next reader for a connection of relay <paramref name="relay"/>, once that relay carries traffic;
    /// null when every reader is handled (none queued, none handed back, none in flight that could be).
    /// </summary>
    public async Task<DeliveryRecord?> NextAsync(int relay, ChannelReader<DeliveryRecord> queue)
    {
        while (true)
        {
            Halt.Token.ThrowIfCancellationRequested();
            if (!Routing.IsActive(relay))
            {
                if (AllHandled(queue)) return null;
                // A resting relay looks again a little later: the one before it may fail, or its rest end.
                await Task.Delay(TimeSpan.FromMilliseconds(50), Halt.Token);
                continue;
            }
            Interlocked.Increment(ref _inFlight);
            if (_handedBack.TryDequeue(out var next) || queue.TryRead(out next)) return next;
            Interlocked.Decrement(ref _inFlight);
            if (AllHandled(queue)) return null;
            if (!Routing.HasFallbacks)
            {
                // One relay: nothing is ever handed back, so once the queue is done so is this connection (it does
                // not wait, let alone spin, for the others' last messages: a done queue answers WaitToRead at once).
                if (!await queue.WaitToReadAsync(Halt.Token)) return null;
                continue;
            }
            // Several relays: a message may also be handed back by a failing relay; look again shortly.
            if (queue.Completion.IsCompleted)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(50), Halt.Token);
                continue;
            }
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(Halt.Token);
            wait.CancelAfter(TimeSpan.FromMilliseconds(50));
            try
            {
                await queue.WaitToReadAsync(wait.Token);
            }
            catch (OperationCanceledException) when (!Halt.IsCancellationRequested)
            {
            }
        }
    }

    private bool AllHandled(ChannelReader<DeliveryRecord> queue) =>
        queue.Completion.IsCompleted && _handedBack.IsEmpty && Volatile.Read(ref _inFlight) == 0;

    public void HandBack(DeliveryRecord delivery) => _handedBack.Enqueue(delivery);

    public void Done() => Interlocked.Decrement(ref _inFlight);

}
