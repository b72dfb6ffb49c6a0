namespace Digest.Delivery;

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

    public static RelaySet From(DigestOptions o)
    {
        if (o.Relays.Count > 0)
            return new RelaySet(o.Relays.Select(r => new Relay(r.Name, new SmtpTransport(r), r.MaxPerSecond, r.CostPerThousand)).ToList());
        if (!string.IsNullOrWhiteSpace(o.Smtp.Host))
            return new RelaySet([new Relay(o.Smtp.Name, new SmtpTransport(o.Smtp), o.Smtp.MaxPerSecond, o.Smtp.CostPerThousand)]);
        return new RelaySet([new Relay("outbox", new OutboxTransport(o.Outbox.Path), 0, 0)]);
    }
}
