using Digest.Editions;
using Microsoft.Extensions.Options;

namespace Digest.Transport;

/// <summary>One way out for mail: a transport with its own connections, rate and price.</summary>
public sealed record Relay(string Name, IMailTransport Transport, double MaxPerSecond, decimal CostPerThousand)
{
    public int Connections => Transport.Connections;
}

/// <summary>
/// The relays in order of preference: the configured Digest:Relays, else Digest:Smtp alone, else the outbox
/// folder when no SMTP host is set (the embedded default).
/// </summary>
public sealed class RelaySet(IReadOnlyList<Relay> relays)
{
    public IReadOnlyList<Relay> All { get; } = relays;

    public string Description => string.Join(", then ", All.Select(r => All.Count > 1 ? $"{r.Name} ({r.Transport.Description})" : r.Transport.Description));

    /// <summary>The outbox when mail goes to files instead of a server.</summary>
    public OutboxTransport? Outbox => All is [{ Transport: OutboxTransport outbox }] ? outbox : null;

    public EditionTransport Transport => Outbox is null ? EditionTransport.Smtp : EditionTransport.Outbox;

    /// <summary>Records on a new edition how it is sent.</summary>
    public void Stamp(Edition edition)
    {
        edition.Transport = Transport;
        edition.TransportDescription = Description;
    }

    /// <summary>
    /// Refuses to finish an edition by another transport than it was started on; the setting that differs is
    /// named, and nothing is sent. An SMTP host that changed is fine (a relay moved); SMTP versus outbox is not.
    /// </summary>
    public void EnsureCanFinish(Edition edition)
    {
        if (edition.Transport is not { } started || started == Transport) return;
        var message = started == EditionTransport.Smtp
            ? $"Unfinished edition {edition.Number} was started on {edition.TransportDescription}, but Digest:Smtp:Host (and Digest:Relays) is not set now, "
              + "so its remaining readers would be written to the outbox instead of mailed. Set Digest:Smtp:Host as it was and run again."
            : $"Unfinished edition {edition.Number} was started on {edition.TransportDescription}, but Digest:Smtp:Host (or Digest:Relays) is set now ({Description}), "
              + "so its remaining readers would be mailed while the others' messages are files. Unset Digest:Smtp:Host and Digest:Relays to finish it into the outbox, then set them again.";
        throw new OptionsValidationException("Digest:Smtp:Host", typeof(DigestOptions), [message]);
    }

    public static RelaySet From(DigestOptions o)
    {
        if (o.Relays.Count > 0)
            return new RelaySet(o.Relays.Select(r => new Relay(r.Name, new SmtpTransport(r), r.MaxPerSecond, r.CostPerThousand)).ToList());
        if (!string.IsNullOrWhiteSpace(o.Smtp.Host))
            return new RelaySet([new Relay(o.Smtp.Name, new SmtpTransport(o.Smtp), o.Smtp.MaxPerSecond, o.Smtp.CostPerThousand)]);
        return new RelaySet([new Relay("outbox", new OutboxTransport(o.Outbox.Path), 0, 0)]);
    }
}
