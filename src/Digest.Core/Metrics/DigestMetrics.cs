using System.Diagnostics.Metrics;
using Digest.Bounces;
using Digest.Dispatch;
using Digest.Ledger;

namespace Digest.Metrics;

/// <summary>
/// The meter <c>Digest</c>: what an admin graphs over months. Messages by relay and outcome, how long a relay
/// takes to accept one, the progress of the edition being sent, bounce and complaint reports, unsubscribes.
/// Readable with no package by <c>dotnet-counters monitor -n digest --counters Digest</c>; the worker's
/// listener also serves it in Prometheus format at <c>/metrics</c>.
/// </summary>
public sealed class DigestMetrics
{
    public const string MeterName = "Digest";

    private readonly Counter<long> _messages;
    private readonly Histogram<double> _sendDuration;
    private readonly Counter<long> _reports;
    private readonly Counter<long> _unsubscribes;
    private readonly Counter<long> _signups;

    // The dispatch in progress, read by the progress gauge; null between sends.
    private Progress? _current;

    public DigestMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _messages = meter.CreateCounter<long>("digest.messages", "{message}",
            "Messages settled, by relay and outcome (sent, deferred, bounced, failed, skipped).");
        _sendDuration = meter.CreateHistogram<double>("digest.send.duration", "s",
            "Time from handing a message to the relay to its acceptance, retries included.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] });
        _reports = meter.CreateCounter<long>("digest.reports", "{report}",
            "Bounce and complaint reports read from the bounce mailbox, by kind (hard_bounce, soft_bounce, complaint).");
        _unsubscribes = meter.CreateCounter<long>("digest.unsubscribes", "{reader}", "Readers who unsubscribed, by how.");
        _signups = meter.CreateCounter<long>("digest.signups", "{request}",
            "Signup requests and confirmations, by outcome (mailed, confirmed, bot, address_limit, undeliverable).");
        meter.CreateObservableGauge("digest.edition.recipients", ObserveEdition, "{reader}",
            "The edition being sent: its recipients due this run (state=total) and those settled so far (state=done).");
    }

    /// <summary>One message settled by a relay.</summary>
    public void Settled(string relay, DeliveryState state) =>
        _messages.Add(1, new("relay", relay), new("outcome", state.ToString().ToLowerInvariant()));

    public void Accepted(string relay, TimeSpan took) => _sendDuration.Record(took.TotalSeconds, new KeyValuePair<string, object?>("relay", relay));

    public void Report(ReportKind kind) => _reports.Add(1, new KeyValuePair<string, object?>("kind", kind switch
    {
        ReportKind.HardBounce => "hard_bounce",
        ReportKind.SoftBounce => "soft_bounce",
        _ => "complaint",
    }));

    public void Signup(string outcome) => _signups.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    public void Unsubscribed(string via) => _unsubscribes.Add(1, new KeyValuePair<string, object?>("via", via));

    /// <summary>Shows <paramref name="counters"/> as the edition's progress until the returned scope ends.</summary>
    public IDisposable Track(int edition, DispatchCounters counters)
    {
        Volatile.Write(ref _current, new Progress(edition, counters));
        return new Scope(this);
    }

    private IEnumerable<Measurement<int>> ObserveEdition()
    {
        if (Volatile.Read(ref _current) is not { } current) yield break;
        var edition = new KeyValuePair<string, object?>("edition", current.Edition);
        yield return new Measurement<int>(current.Counters.Total, edition, new("state", "total"));
        yield return new Measurement<int>(current.Counters.Done, edition, new("state", "done"));
    }

    private sealed record Progress(int Edition, DispatchCounters Counters);

    private sealed class Scope(DigestMetrics metrics) : IDisposable
    {
        public void Dispose() => Volatile.Write(ref metrics._current, null);
    }
}
