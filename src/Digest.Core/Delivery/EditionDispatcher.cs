using System.Threading.Channels;
using System.Threading.RateLimiting;
using Digest.Editions;
using Digest.Rendering;
using Digest.Subscribers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;
using Polly;
using Polly.Retry;

namespace Digest.Delivery;

/// <summary>
/// Sends an edition's pending deliveries over a pool of connections: each connection renders, sends and
/// records one reader at a time; transient failures are retried with backoff, hard bounces suppressed, and
/// a server that refuses everyone stops the edition with nothing marked sent that was not accepted.
/// </summary>
public sealed class EditionDispatcher(
    DigestRenderer renderer,
    MessageBuilder builder,
    DeliveryLedger ledger,
    SuppressionList suppressions,
    IMailTransport transport,
    IOptions<DigestOptions> options,
    TimeProvider clock,
    ILogger<EditionDispatcher> log)
{
    public async Task<DispatchReport> SendAsync(Edition edition, DispatchCounters counters, CancellationToken stopping)
    {
        var o = options.Value;
        // Stopping: take no new reader; hardStop: also cut the messages in flight, StopTimeout later.
        using var hardStop = new CancellationTokenSource();
        using var onStop = stopping.Register(() => hardStop.CancelAfter(o.Delivery.StopTimeout));
        using var halt = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        var run = new Run(edition, counters, halt, hardStop.Token, suppressions.Addresses(), Retry(o.Delivery), Limiter(o.Smtp));
        var queue = Channel.CreateBounded<Delivery>(new BoundedChannelOptions(transport.Connections * 8) { SingleWriter = true });

        await using (var writer = new LedgerWriter(ledger))
        {
            var feed = FeedAsync(edition.Number, queue.Writer, halt.Token);
            var senders = Enumerable.Range(0, transport.Connections)
                .Select(_ => Task.Run(() => SendLoopAsync(run, queue.Reader, writer)))
                .ToList();
            await Task.WhenAll(senders);
            await feed;
        }
        run.Limiter?.Dispose();
        return new DispatchReport(run.Fatal, stopping.IsCancellationRequested);
    }

    private async Task FeedAsync(int edition, ChannelWriter<Delivery> queue, CancellationToken halt)
    {
        try
        {
            await foreach (var delivery in ledger.PendingAsync(edition).WithCancellation(halt))
                await queue.WriteAsync(delivery, halt);
        }
        catch (OperationCanceledException) when (halt.IsCancellationRequested)
        {
            // Stopped or halted: what was not handed out stays planned for the next run.
        }
        finally
        {
            queue.TryComplete();
        }
    }

    private async Task SendLoopAsync(Run run, ChannelReader<Delivery> queue, LedgerWriter writer)
    {
        await using var connection = transport.OpenConnection(run.Edition.Number);
        try
        {
            await foreach (var delivery in queue.ReadAllAsync(run.Halt.Token))
            {
                await SendOneAsync(run, connection, delivery);
                run.Counters.Count(delivery.State);
                // Wait for the commit before the next send: a crash now loses at most this one record.
                await writer.RecordAsync(delivery);
                if (run.Fatal is not null) break;
            }
        }
        catch (OperationCanceledException) when (run.Halt.IsCancellationRequested)
        {
        }
    }

    private async Task SendOneAsync(Run run, IMailConnection connection, Delivery delivery)
    {
        var max = options.Value.Delivery.MaxRuns;
        if (run.Suppressed.Contains(delivery.Key))
        {
            Settle(delivery, DeliveryState.Skipped, "suppressed (unsubscribed or bounced) before it was sent");
            return;
        }
        delivery.Runs++;
        MimeMessage message;
        try
        {
            message = await BuildAsync(run, delivery);
        }
        catch (TemplateException e)
        {
            Halt(run, new DeliveryException(DeliveryFailure.Fatal, e.Message, e));
            return;
        }

        try
        {
            if (run.Limiter is not null)
            {
                using var permit = await run.Limiter.AcquireAsync(1, run.Halt.Token);
            }
            var reply = await run.Retry.ExecuteAsync(async token =>
            {
                delivery.Attempts++;
                return await connection.SendAsync(message, token);
            }, run.HardStop);
            Settle(delivery, DeliveryState.Sent, reply);
        }
        catch (DeliveryException e) when (e.Failure == DeliveryFailure.HardBounce)
        {
            Settle(delivery, DeliveryState.Bounced, e.Reply);
            log.LogWarning("Edition {Edition}: {Email} bounced: {Reply}; the address is suppressed", run.Edition.Number, delivery.Email, e.Reply);
        }
        catch (DeliveryException e) when (e.Failure == DeliveryFailure.Transient)
        {
            Settle(delivery, delivery.Runs >= max ? DeliveryState.Failed : DeliveryState.Deferred, e.Reply);
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
    }

    private async ValueTask<MimeMessage> BuildAsync(Run run, Delivery delivery)
    {
        var view = run.ViewFor(delivery.Categories, options.Value.ListName, options.Value.Archive.UrlFor(run.Edition.Number));
        var rendered = await renderer.RenderAsync(view, builder.Reader(delivery.Email, delivery.Name));
        return builder.Build(run.Edition.Number, delivery, rendered);
    }

    private void Settle(Delivery delivery, DeliveryState state, string reply)
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

    private static RateLimiter? Limiter(SmtpOptions smtp)
    {
        if (smtp.MaxPerSecond <= 0 || string.IsNullOrWhiteSpace(smtp.Host)) return null;
        // Tokens every 100 ms rather than a burst each second, so the rate is smooth.
        var perTick = Math.Max(1, (int)Math.Round(smtp.MaxPerSecond / 10));
        return new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = perTick,
            TokensPerPeriod = perTick,
            ReplenishmentPeriod = TimeSpan.FromSeconds(perTick / smtp.MaxPerSecond),
            QueueLimit = int.MaxValue,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            AutoReplenishment = true,
        });
    }

    /// <summary>What one dispatch shares between its connections.</summary>
    private sealed class Run(
        Edition edition,
        DispatchCounters counters,
        CancellationTokenSource halt,
        CancellationToken hardStop,
        HashSet<string> suppressed,
        ResiliencePipeline retry,
        RateLimiter? limiter)
    {
        private readonly Dictionary<string, EditionView> _views = new(StringComparer.OrdinalIgnoreCase);

        public Edition Edition { get; } = edition;
        public DispatchCounters Counters { get; } = counters;
        public CancellationTokenSource Halt { get; } = halt;
        public CancellationToken HardStop { get; } = hardStop;
        public HashSet<string> Suppressed { get; } = suppressed;
        public ResiliencePipeline Retry { get; } = retry;
        public RateLimiter? Limiter { get; } = limiter;
        public DeliveryException? Fatal { get; set; }

        /// <summary>The edition as one reader's categories select it; built once per distinct set of categories.</summary>
        public EditionView ViewFor(IReadOnlyList<string> categories, string listName, string? archiveUrl)
        {
            var key = string.Join('\n', categories.Order(StringComparer.OrdinalIgnoreCase));
            lock (_views)
            {
                if (_views.TryGetValue(key, out var view)) return view;
                var reader = new Subscriber("", null, categories);
                view = EditionViews.Create(Edition, Edition.Comparisons.Where(c => reader.Follows(c.Categories)).ToList(), listName, archiveUrl);
                _views[key] = view;
                return view;
            }
        }
    }
}

/// <summary>How a dispatch ended: <see cref="Fatal"/> when the server refused everyone, <see cref="Stopped"/> on shutdown.</summary>
public sealed record DispatchReport(DeliveryException? Fatal, bool Stopped);
