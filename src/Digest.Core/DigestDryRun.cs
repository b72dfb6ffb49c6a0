using Digest.Editions;
using Digest.Ledger;
using Digest.Messages;
using Digest.Transport;

namespace Digest;

/// <summary>Everything `send-now` would do up to the wire: choose, plan, render and build each message; nothing is sent or stored.</summary>
public sealed class DigestDryRun(NextEdition next, IDeliveryLedger ledger, RelaySet relays, EditionMessages messages)
{
    public async Task<DryRun?> RunAsync(CancellationToken cancellationToken, bool allowEmpty = false)
    {
        next.ImportFolder();
        var edition = next.Unfinished();
        var resuming = edition is not null;
        List<DeliveryRecord> plan;
        if (edition is not null)
        {
            relays.EnsureCanFinish(edition);
            plan = [];
            await foreach (var d in ledger.PendingAsync(edition.Number).WithCancellation(cancellationToken)) plan.Add(d);
        }
        else
        {
            edition = next.Draft();
            if (edition is null) return null;
            plan = next.Recipients(edition, allowEmpty).ToList();
        }
        long bytes = 0;
        var rendering = messages.Rendering(edition);
        foreach (var d in plan.Where(d => d.State is DeliveryState.Planned or DeliveryState.Deferred))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var message = await messages.BuildAsync(rendering, d);
            using var counter = new MimeKit.IO.MeasuringStream();
            await message.WriteToAsync(counter, cancellationToken);
            bytes += counter.Length;
        }
        return new DryRun(edition, resuming, plan, bytes);
    }
}

public sealed record DryRun(Edition Edition, bool Resuming, IReadOnlyList<DeliveryRecord> Plan, long Bytes);
