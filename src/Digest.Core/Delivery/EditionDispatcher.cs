using System.Collections.Concurrent;
using System.Threading.Channels;
using System.Threading.RateLimiting;
using Digest.Editions;
using Digest.Metrics;
using Digest.Rendering;
using Digest.Subscribers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;
using Polly;
using Polly.Retry;

namespace Digest.Delivery;

/// <summary>
/// Sends an edition's pending deliveries over pools of connections, one pool per relay: each connection
/// renders, sends and records one reader at a time. Transient failures are retried with backoff; a relay
/// that keeps failing hands its traffic to the next relay and gets it back once it recovers; hard bounces
/// are suppressed; a server that refuses everyone stops the edition with nothing marked sent that was not
/// accepted.
/// </summary>
public sealed class EditionDispatcher(
    DigestRenderer renderer,
    MessageBuilder builder,
    DeliveryLedger ledger,
    OutcomeJournal journal,
    SuppressionList suppressions,
    RelaySet relays,
    IOptions<DigestOptions> options,
    TimeProvider clock,
    ILogger<EditionDispatcher> log,
    DigestMetrics metrics)
{
    public async Task<DispatchReport> SendAsync(Edition edition, DispatchCounters counters, CancellationToken stopping)
    {
        var o = options.Value;
        using var tracked = metrics.Track(edition.Number, counters);
        // Stopping: take no new reader; hardStop: also cut the messages in flight, StopTimeout later.
        using var hardStop = new CancellationTokenSource();
        using var onStop = stopping.Register(() => hardStop.CancelAfter(o.Delivery.StopTimeout));
        using var halt = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        var routing = new Routing(relays.All, clock, o.Delivery.RelayRetryAfter, log);
        var rendering = new EditionRendering(renderer, edition, o.ListName, o.Archive.UrlFor(edition.Number), log, o.Sender.PostalAddress);
        var run = new Run(rendering, counters, halt, hardStop.Token, suppressions.Addresses(), Retry(o.Delivery), routing);
        // Unbounded so that taking a reader is lock-free; FeedAsync keeps it to about two pages.
        var queue = Channel.CreateUnbounded<Delivery>(new UnboundedChannelOptions { SingleWriter = true });

        var limiters = relays.All.Select(r => Limiter(r.MaxPerSecond)).ToList();
        await using (var writer = new LedgerWriter(ledger, journal))
        {
            var feed = FeedAsync(edition.Number, clock.GetUtcNow().UtcDateTime, queue, halt.Token);
            var senders = relays.All
                .SelectMany((relay, index) => Enumerable.Range(0, relay.Connections).Select(_ => (relay, index)))
                .Select(r => Task.Run(() => SendLoopAsync(run, new Lane(r.relay, r.index, limiters[r.index]), queue.Reader, writer)))
                .ToList();
            await Task.WhenAll(senders);
            await feed;
        }
        foreach (var limiter in limiters) limiter?.Dispose();
        return new DispatchReport(run.Fatal, stopping.IsCancellationRequested);
    }

    private async Task FeedAsync(int edition, DateTime dueBy, Channel<Delivery> queue, CancellationToken halt)
    {
        const int page = 1000;
        try
        {
            await foreach (var delivery in ledger.PendingAsync(edition, dueBy, page).WithCancellation(halt))
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

    private async Task SendLoopAsync(Run run, Lane lane, ChannelReader<Delivery> queue, LedgerWriter writer)
    {
        await using var connection = lane.Relay.Transport.OpenConnection(run.Edition.Number);
        try
        {
            while (await run.NextAsync(lane.Index, queue) is { } delivery)
            {
                try
                {
                    if (await SendOneAsync(run, lane, connection, delivery) == Outcome.HandedOver)
                    {
                        run.HandBack(delivery);
                        continue;
                    }
                    run.Counters.Count(delivery.State);
                    metrics.Settled(lane.Relay.Name, delivery.State);
                    // Wait for the commit before the next send: a crash now loses at most this one record.
                    await writer.RecordAsync(delivery);
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
    }

    private enum Outcome { Settled, HandedOver }

    private async Task<Outcome> SendOneAsync(Run run, Lane lane, IMailConnection connection, Delivery delivery)
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
                delivery.Attempts++;
                return await connection.SendAsync(message, token);
            }, run.HardStop);
            metrics.Accepted(lane.Relay.Name, clock.GetElapsedTime(handedOver));
            delivery.Runs++;
            delivery.Relay = lane.Relay.Name;
            Settle(delivery, DeliveryState.Sent, reply);
        }
        catch (DeliveryException e) when (e.Failure == DeliveryFailure.HardBounce)
        {
            delivery.Runs++;
            Settle(delivery, DeliveryState.Bounced, e.Reply);
            log.LogWarning("Edition {Edition}: {Email} bounced: {Reply}; the address is suppressed", run.Edition.Number, delivery.Email, e.Reply);
        }
        catch (DeliveryException e) when (run.Routing.HasFallback(lane.Index))
        {
            // This relay is failing for everyone, not for this reader: the next relay takes the message.
            delivery.LastReply = e.Reply;
            run.Routing.MarkDown(lane.Index, e.Reply);
            return Outcome.HandedOver;
        }
        catch (DeliveryException e) when (e.Failure == DeliveryFailure.Transient)
        {
            delivery.Runs++;
            Settle(delivery, delivery.Runs >= options.Value.Delivery.MaxRuns ? DeliveryState.Failed : DeliveryState.Deferred, e.Reply);
            // A server that cannot even be reached after the retries is down for everyone.
            if (e.ConnectFailed) Halt(run, e);
        }
        catch (DeliveryException e)
        {
            delivery.LastReply = e.Reply;
            Halt(run, e);
        }
        catch (OperationCanceledException) when (run.Halt.IsCancellationRequested || run.HardStop.IsCancellationRequested)
        {
            // Cut off while in flight: not known to be accepted, so it stays planned and is sent next run.
            delivery.LastReply = "stopped before the server accepted it";
        }
        return Outcome.Settled;
    }

    private async ValueTask<MimeMessage> BuildAsync(Run run, Delivery delivery)
    {
        var rendered = await run.Rendering.RenderAsync(builder.Reader(delivery.Email, delivery.Name), delivery.Categories);
        return builder.Build(run.Edition.Number, delivery, rendered);
    }

    private static void Settle(Delivery delivery, DeliveryState state, string reply)
    {
        delivery.State = state;
        delivery.LastReply = reply;
    }

    private void Halt(Run run, DeliveryException e)
    {
        lock (run)
        {
            if (run.Fatal is not null) return;
            run.Fatal = e;
        }
        log.LogError("Edition {Edition} stopped early: {Reply}. Nothing unsent was marked sent; the next run resumes it", run.Edition.Number, e.Reply);
        run.Halt.Cancel();
    }

    private ResiliencePipeline Retry(DeliveryOptions o)
    {
        if (o.Retries == 0) return ResiliencePipeline.Empty;
        return new ResiliencePipelineBuilder { TimeProvider = clock }
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<DeliveryException>(e => e.Failure == DeliveryFailure.Transient),
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
    private sealed record Lane(Relay Relay, int Index, RateLimiter? Limiter);

    /// <summary>Which relay carries traffic now: the first that is not resting after a failure.</summary>
    private sealed class Routing(IReadOnlyList<Relay> relays, TimeProvider clock, TimeSpan retryAfter, ILogger log)
    {
        // UTC ticks until which each relay rests; read on every message, so without a lock.
        private readonly long[] _downUntil = new long[relays.Count];

        public bool HasFallback(int index) => index < relays.Count - 1;

        public bool HasFallbacks => relays.Count > 1;

        public bool IsActive(int index)
        {
            if (relays.Count == 1) return true;
            var now = clock.GetUtcNow().UtcTicks;
            // The last relay is never rested: with every other one down, it is the way out.
            for (var i = 0; i < relays.Count - 1; i++)
                if (Volatile.Read(ref _downUntil[i]) <= now) return i == index;
            return index == relays.Count - 1;
        }

        public void MarkDown(int index, string reason)
        {
            var now = clock.GetUtcNow().UtcTicks;
            var current = Volatile.Read(ref _downUntil[index]);
            // Only the first connection to see the failure rests the relay and says so.
            if (current > now || Interlocked.CompareExchange(ref _downUntil[index], now + retryAfter.Ticks, current) != current) return;
            log.LogWarning("Relay {Relay} is failing ({Reason}); its traffic moves to {Next} and it is tried again in {RetryAfter}",
                relays[index].Name, reason, relays[index + 1].Name, retryAfter);
        }
    }

    /// <summary>What one dispatch shares between its connections.</summary>
    private sealed class Run(
        EditionRendering rendering,
        DispatchCounters counters,
        CancellationTokenSource halt,
        CancellationToken hardStop,
        HashSet<string> suppressed,
        ResiliencePipeline retry,
        Routing routing)
    {
        private readonly ConcurrentQueue<Delivery> _handedBack = new();
        private int _inFlight;

        public EditionRendering Rendering { get; } = rendering;
        public Edition Edition => Rendering.Edition;
        public DispatchCounters Counters { get; } = counters;
        public CancellationTokenSource Halt { get; } = halt;
        public CancellationToken HardStop { get; } = hardStop;
        public HashSet<string> Suppressed { get; } = suppressed;
        public ResiliencePipeline Retry { get; } = retry;
        public Routing Routing { get; } = routing;
        public DeliveryException? Fatal { get; set; }

        /// <summary>
        /// The next reader for a connection of relay <paramref name="relay"/>, once that relay carries traffic;
        /// null when every reader is handled (none queued, none handed back, none in flight that could be).
        /// </summary>
        public async Task<Delivery?> NextAsync(int relay, ChannelReader<Delivery> queue)
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
                    // One relay: nothing is ever handed back, so waiting on the queue alone is enough.
                    await queue.WaitToReadAsync(Halt.Token);
                    continue;
                }
                // Several relays: a message may also be handed back by a failing relay; look again shortly.
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

        private bool AllHandled(ChannelReader<Delivery> queue) =>
            queue.Completion.IsCompleted && _handedBack.IsEmpty && Volatile.Read(ref _inFlight) == 0;

        public void HandBack(Delivery delivery) => _handedBack.Enqueue(delivery);

        public void Done() => Interlocked.Decrement(ref _inFlight);

    }
}

/// <summary>How a dispatch ended: <see cref="Fatal"/> when the server refused everyone, <see cref="Stopped"/> on shutdown.</summary>
public sealed record DispatchReport(DeliveryException? Fatal, bool Stopped);
