using System.Collections.Concurrent;
using System.Threading.Channels;
using System.Threading.RateLimiting;
using Digest.Editions;
using Digest.Ledger;
using Digest.Messages;
using Digest.Metrics;
using Digest.Rendering;
using Digest.Subscribers;
using Digest.Transport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;
using Polly;
using Polly.Retry;

namespace Digest.Dispatch;

/// <summary>
/// Sends an edition's pending deliveries over pools of connections, one pool per relay: each connection
/// renders, sends and records one reader at a time. Transient failures are retried with backoff; a relay
/// that keeps failing hands its traffic to the next relay and gets it back once it recovers; hard bounces
/// are suppressed; a server that refuses everyone stops the edition with nothing marked sent that was not
/// accepted. A relay's failure is never charged to a reader: they stay as they were, to be sent later.
/// </summary>
public sealed class EditionDispatcher(
    DigestRenderer renderer,
    MessageBuilder builder,
    IDeliveryLedger ledger,
    ISuppressions suppressions,
    RelaySet relays,
    IOptions<DigestOptions> options,
    TimeProvider clock,
    ILogger<EditionDispatcher> log,
    DigestMetrics metrics)
{
    /// <param name="lease">Asked before every message; once another process holds it, this one sends and records nothing more.</param>
    /// <param name="retryDeferredNow">Retry deferred readers now rather than when their backoff ends (`send-now`: the admin says now).</param>
    /// <param name="planning">The edition's plan while it is still being written: readers are sent as they are planned.</param>
    public async Task<DispatchReport> SendAsync(Edition edition, DispatchCounters counters, IHeldLease lease, CancellationToken stopping, bool retryDeferredNow = false,
        Task? planning = null)
    {
        var o = options.Value;
        using var tracked = metrics.Track(edition.Number, counters);
        // Stopping: take no new reader; hardStop: also cut the messages in flight, StopTimeout later.
        using var hardStop = new CancellationTokenSource();
        using var onStop = stopping.Register(() => hardStop.CancelAfter(o.Delivery.StopTimeout));
        using var halt = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        var routing = new RelayRouting(relays.All, clock, o.Delivery.RelayRetryAfter, log);
        var rendering = new EditionRendering(renderer, edition, o.ListName, o.Archive.UrlFor(edition.Number), log, o.Sender.PostalAddress);
        var run = new DispatchRun(rendering, counters, halt, hardStop.Token, new LiveSuppressions(suppressions.Addresses()), Retry(o.Delivery), routing, lease)
        {
            Breakers = relays.All.Select(_ => new RefusalBreaker()).ToArray(),
        };
        var began = clock.GetUtcNow().UtcDateTime;
        var suppressedSince = began;
        // Unbounded so that taking a reader is lock-free; FeedAsync keeps it to about two pages.
        var queue = Channel.CreateUnbounded<DeliveryRecord>(new UnboundedChannelOptions { SingleWriter = true });

        var limiters = relays.All.Select(r => Limiter(r.MaxPerSecond)).ToList();
        await using (var writer = ledger.OpenRecorder(lease))
        {
            var feed = FeedAsync(edition.Number, began, retryDeferredNow, lease, planning, queue, halt.Token);
            var senders = relays.All
                .SelectMany((relay, index) => Enumerable.Range(0, relay.Connections).Select(_ => (relay, index)))
                .Select(r => Task.Run(() => SendLoopAsync(run, new Lane(r.relay, r.index, limiters[r.index]), queue.Reader, writer)))
                .ToList();
            using var sent = CancellationTokenSource.CreateLinkedTokenSource(halt.Token);
            var watch = WatchSuppressionsAsync(run, suppressedSince, sent.Token);
            try
            {
                await Task.WhenAll(senders);
            }
            finally
            {
                await sent.CancelAsync();
                await watch;
            }
            await feed;
        }
        foreach (var limiter in limiters) limiter?.Dispose();
        if (run.Tripped)
        {
            // Every outcome of the run is in the ledger now: undo the refusals the breaker does not believe.
            var refused = run.Refusals.ToList();
            ledger.Restore(refused, began, "planned again: the circuit breaker judged the relay's refusals to be the relay's failure");
            log.LogWarning(DispatchEvents.RefusalsUndone, "Edition {Edition}: {Count} refusals of this run undone and their suppressions lifted; the readers stay planned", edition.Number, refused.Count);
        }
        return new DispatchReport(run.Fatal, stopping.IsCancellationRequested, run.LeaseLost);
    }

    private async Task FeedAsync(int edition, DateTime dueBy, bool retryDeferredNow, IHeldLease lease, Task? planning, Channel<DeliveryRecord> queue, CancellationToken halt)
    {
        // Small pages: on a shared store each page is a claim, and what one worker holds ahead the others cannot send.
        const int page = 250;
        try
        {
            await foreach (var delivery in ledger.PendingAsync(edition, dueBy, page, retryDeferredNow, claimant: lease, planning).WithCancellation(halt))
            {
                queue.Writer.TryWrite(delivery);
                // Memory stays flat however long the list: no more than about two pages wait in the queue.
                while (queue.Reader.Count > 2 * page) await Task.Delay(10, halt);
            }
        }
        catch (OperationCanceledException) when (halt.IsCancellationRequested)
        {
            // Stopped or halted: what was not handed out stays planned for the next run.
        }
        finally
        {
            queue.Writer.TryComplete();
        }
    }

    private async Task SendLoopAsync(DispatchRun run, Lane lane, ChannelReader<DeliveryRecord> queue, IOutcomeRecorder writer)
    {
        await using var connection = lane.Relay.Transport.OpenConnection(run.Edition.Number);
        // This connection's outcomes on their way to durability. The next message is not accepted before they are
        // durable (the transport holds its final "." back), so a crash loses at most one record per connection;
        // the next message's envelope and bytes travel while the journal syncs.
        Task? recording = null;
        try
        {
            while (await run.NextAsync(lane.Index, queue) is { } delivery)
            {
                try
                {
                    if (!run.Lease.IsHeld)
                    {
                        StopForLostLease(run);
                        break;
                    }
                    if (await SendOneAsync(run, lane, connection, delivery, recording is null ? null : () => Fenced(recording, run.Lease)) == Outcome.HandedOver)
                    {
                        run.HandBack(delivery);
                        continue;
                    }
                    run.Counters.Count(delivery.State);
                    metrics.Settled(lane.Relay.Name, delivery.State);
                    recording = Durable(recording, writer.RecordAsync(delivery));
                }
                finally
                {
                    run.Done();
                }
                if (run.Fatal is not null) break;
            }
        }
        catch (OperationCanceledException) when (run.Halt.IsCancellationRequested)
        {
        }
        catch (LeaseLostBeforeAcceptanceException)
        {
            // A sender paused past its lease and resumed: the message held back for the previous outcome was cut off unaccepted.
            StopForLostLease(run);
        }
        catch (OutcomeNotDurableException e)
        {
            // Surfaced by the next message, which was cut off unaccepted: the run fails with the journal's own error.
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e.InnerException!);
        }
        finally
        {
            // The connection is done once its last outcomes are durable; a failure to make them so fails the run.
            if (recording is not null) await Unwrapped(recording);
        }
    }

    /// <summary>Completes when <paramref name="earlier"/> and <paramref name="outcome"/> are durable; a failure of either is an <see cref="OutcomeNotDurableException"/>.</summary>
    private static async Task Durable(Task? earlier, Task outcome)
    {
        if (earlier is not null) await earlier;
        try
        {
            await outcome;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new OutcomeNotDurableException(e);
        }
    }

    /// <summary>
    /// Completes when <paramref name="recording"/> has and the lease is still held. The lease is asked before each
    /// message is sent, but the message's end then waits for the previous outcome: a sender frozen (SIGSTOP, a
    /// suspended machine) in between and resumed after another took its readers over must not have it accepted.
    /// </summary>
    private static async Task Fenced(Task recording, IHeldLease lease)
    {
        await recording;
        if (!lease.IsHeld) throw new LeaseLostBeforeAcceptanceException();
    }

    private sealed class LeaseLostBeforeAcceptanceException() : Exception("another process took the sender lease over before this message was accepted");

    private static async Task Unwrapped(Task recording)
    {
        try
        {
            await recording;
        }
        catch (OutcomeNotDurableException e)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e.InnerException!);
        }
    }

    /// <summary>An outcome could not be made durable: nothing more may be sent on the connection that reported it.</summary>
    private sealed class OutcomeNotDurableException(Exception inner) : Exception(inner.Message, inner);

    private enum Outcome { Settled, HandedOver }

    /// <param name="acceptAfter">This connection's earlier outcomes on their way to durability, and the lease: the message may not be accepted before.</param>
    private async Task<Outcome> SendOneAsync(DispatchRun run, Lane lane, IMailConnection connection, DeliveryRecord delivery, Func<Task>? acceptAfter)
    {
        if (run.Suppressed.Contains(delivery.Key))
        {
            Settle(delivery, DeliveryState.Skipped, "suppressed (unsubscribed or bounced) before it was sent");
            return Outcome.Settled;
        }
        MimeMessage built;
        try
        {
            built = await BuildAsync(run, delivery);
        }
        catch (TemplateException e)
        {
            Halt(run, new DeliveryException(DeliveryFailure.Fatal, e.Message, e));
            return Outcome.Settled;
        }

        // Disposed rather than finalized: MIME entities have finalizers, costly at thousands of messages a minute.
        using var message = built;
        try
        {
            if (lane.Limiter is not null)
            {
                using var permit = await lane.Limiter.AcquireAsync(1, run.Halt.Token);
            }
            var handedOver = clock.GetTimestamp();
            var reply = await run.Retry.ExecuteAsync(async token =>
            {
                try
                {
                    var accepted = await connection.SendAsync(message, token, acceptAfter);
                    delivery.Attempts++;
                    return accepted;
                }
                catch (DeliveryException e) when (!e.IsRelayFailure)
                {
                    // Only a reply about this reader is an attempt against them; an outage is the relay's.
                    delivery.Attempts++;
                    throw;
                }
            }, run.HardStop);
            metrics.Accepted(lane.Relay.Name, clock.GetElapsedTime(handedOver));
            delivery.Runs++;
            delivery.Relay = lane.Relay.Name;
            Settle(delivery, DeliveryState.Sent, reply);
            run.Breakers[lane.Index].Record(refused: false);
        }
        catch (DeliveryException e) when (e.Failure is DeliveryFailure.HardBounce or DeliveryFailure.Refused)
        {
            delivery.Runs++;
            var bounced = e.Failure == DeliveryFailure.HardBounce;
            Settle(delivery, bounced ? DeliveryState.Bounced : DeliveryState.Failed, e.Reply);
            run.Refusals.Add(delivery);
            if (bounced)
                log.LogWarning(DispatchEvents.ReaderBounced, "Edition {Edition}: {Email} bounced: {Reply}; the address is suppressed", run.Edition.Number, delivery.Email, e.Reply);
            else
                log.LogWarning(DispatchEvents.MessageRefused, "Edition {Edition}: the message to {Email} was refused: {Reply}; the edition goes on", run.Edition.Number, delivery.Email, e.Reply);
            if (run.Breakers[lane.Index].Record(refused: true) is { } tripped)
            {
                run.Tripped = true;
                Halt(run, new DeliveryException(DeliveryFailure.Fatal,
                    $"circuit breaker: relay {lane.Relay.Name} refused {tripped.Refused} of its first {tripped.Replies} recipients of this run (last: {e.Reply}); " +
                    "treated as the relay's failure, their suppressions are lifted and they stay planned", e));
            }
        }
        catch (DeliveryException e) when (e.IsRelayFailure && run.Routing.HasFallback(lane.Index))
        {
            // This relay is failing for everyone, not for this reader: the next relay takes the message.
            run.Routing.MarkDown(lane.Index, e.Reply);
            return Outcome.HandedOver;
        }
        catch (DeliveryException e) when (e.IsRelayFailure)
        {
            // The reader stays as they were (planned, or deferred with their backoff): an outage is not their failure.
            delivery.LastReply = $"not sent, the relay failed: {e.Reply}";
            Halt(run, e);
        }
        catch (DeliveryException e)
        {
            // Transient: a reply about this reader that may change (4xx), or their message cut off mid-way.
            delivery.Runs++;
            Defer(delivery, e.Reply);
        }
        catch (OperationCanceledException) when (run.Halt.IsCancellationRequested || run.HardStop.IsCancellationRequested)
        {
            // Cut off while in flight: not known to be accepted, so it stays planned and is sent next run.
            delivery.LastReply = "stopped before the server accepted it";
        }
        return Outcome.Settled;
    }

    private async ValueTask<MimeMessage> BuildAsync(DispatchRun run, DeliveryRecord delivery)
    {
        var rendered = await run.Rendering.RenderAsync(builder.Reader(delivery.Email, delivery.Name), delivery.Categories);
        return builder.Build(run.Edition.Number, delivery, rendered);
    }

    /// <summary>
    /// A reader refused for now goes back to the queue with a backoff of their own (5, 10, 20, 40, then every
    /// 60 minutes, as an MTA's queue), until Digest:Delivery:GiveUpAfter from their first deferral.
    /// </summary>
    private void Defer(DeliveryRecord delivery, string reply)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        delivery.DeferredSince ??= now;
        if (now - delivery.DeferredSince >= options.Value.Delivery.GiveUpAfter)
        {
            Settle(delivery, DeliveryState.Failed, $"given up after {options.Value.Delivery.GiveUpAfter} (Digest:Delivery:GiveUpAfter): {reply}");
            return;
        }
        Settle(delivery, DeliveryState.Deferred, reply);
        delivery.DueAt = now + Backoff(delivery.Runs);
    }

    public static TimeSpan Backoff(int runs) => TimeSpan.FromMinutes(Math.Min(60, 5 << Math.Clamp(runs - 1, 0, 4)));

    private static void Settle(DeliveryRecord delivery, DeliveryState state, string reply)
    {
        delivery.State = state;
        delivery.LastReply = reply;
    }

    private void Halt(DispatchRun run, DeliveryException e)
    {
        lock (run)
        {
            if (run.Fatal is not null) return;
            run.Fatal = e;
        }
        log.LogError(DispatchEvents.EditionStoppedEarly, "Edition {Edition} stopped early: {Reply}. Nothing unsent was marked sent; the next run resumes it", run.Edition.Number, e.Reply);
        run.Halt.Cancel();
    }

    /// <summary>
    /// Every <see cref="SuppressionRefresh"/>, adds what was suppressed since the last look to what the senders
    /// check before each message. Looks a little further back than its last look: a suppression is stamped
    /// before it is committed, and in another process by another clock.
    /// </summary>
    private async Task WatchSuppressionsAsync(DispatchRun run, DateTime since, CancellationToken sent)
    {
        var overlap = TimeSpan.FromSeconds(5);
        while (!sent.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(SuppressionRefresh, clock, sent);
                var now = clock.GetUtcNow().UtcDateTime;
                var added = run.Suppressed.Add(suppressions.AddedSince(since - overlap));
                since = now;
                if (added > 0)
                    log.LogInformation(DispatchEvents.SuppressedWhileSending, "Edition {Edition}: {Count} addresses suppressed while it was sending (unsubscribed, bounced or complained); they are skipped",
                        run.Edition.Number, added);
            }
            catch (OperationCanceledException) when (sent.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (Storage.StoreFailure.Is(e))
            {
                log.LogWarning(DispatchEvents.SuppressionsUnreadable, "Could not read new suppressions while sending edition {Edition}; trying again: {Reason}", run.Edition.Number, e.Message);
            }
        }
    }

    private static readonly TimeSpan SuppressionRefresh = TimeSpan.FromSeconds(1);

    /// <summary>Another process sends this edition now: take no new reader; what is in flight finishes.</summary>
    private static void StopForLostLease(DispatchRun run)
    {
        run.LeaseLost = true;
        run.Halt.Cancel();
    }

    private ResiliencePipeline Retry(DeliveryOptions o)
    {
        if (o.Retries == 0) return ResiliencePipeline.Empty;
        return new ResiliencePipelineBuilder { TimeProvider = clock }
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<DeliveryException>(e => e.Failure is DeliveryFailure.Transient or DeliveryFailure.RelayDown),
                MaxRetryAttempts = o.Retries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = o.RetryDelay,
            })
            .Build();
    }

    private static RateLimiter? Limiter(double maxPerSecond)
    {
        if (maxPerSecond <= 0) return null;
        // Tokens every 100 ms rather than a burst each second, so the rate is smooth.
        var perTick = Math.Max(1, (int)Math.Round(maxPerSecond / 10));
        return new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = perTick,
            TokensPerPeriod = perTick,
            ReplenishmentPeriod = TimeSpan.FromSeconds(perTick / maxPerSecond),
            QueueLimit = int.MaxValue,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            AutoReplenishment = true,
        });
    }

    /// <summary>One connection's place: its relay, the relay's position in the order, and the relay's rate limit.</summary>
    internal sealed record Lane(Relay Relay, int Index, RateLimiter? Limiter);
}

/// <summary>
/// How a dispatch ended: <see cref="Fatal"/> when the server refused everyone, <see cref="Stopped"/> on shutdown,
/// <see cref="LeaseLost"/> when another process took the sender lease over.
/// </summary>
public sealed record DispatchReport(DeliveryException? Fatal, bool Stopped, bool LeaseLost = false);
