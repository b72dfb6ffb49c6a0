using Digest.Bounces;
using Digest.Editions;
using Spectre.Console;

namespace Digest.Worker.Cli;

/// <summary>The part of `status` about bounces and complaints that arrived later in the bounce mailbox.</summary>
public static class BounceStatus
{
    public static void Write(IAnsiConsole console, IServiceProvider services, int editions)
    {
        var options = services.GetRequiredService<IOptions<DigestOptions>>().Value.Bounces;
        var ledger = services.GetRequiredService<IBounceLedger>();
        var mailbox = string.IsNullOrWhiteSpace(options.Imap.Host) ? "off (Digest:Bounces:Imap:Host)" : $"imap {options.Imap.Host}:{options.Imap.Port} {options.Imap.Folder}";
        var rows = services.GetRequiredService<IEditionStore>().Recent(editions)
            .Select(e => (e.Number, Counts: ledger.Count(e.Number)))
            .Where(r => r.Counts.Total > 0)
            .ToList();
        console.WriteLine($"Bounce mailbox: {mailbox}");
        console.WriteLine($"Return path: {(string.IsNullOrWhiteSpace(options.Address) ? "the sender address" : $"VERP {options.Address}")}");
        if (rows.Count == 0)
        {
            console.WriteLine("Bounces and complaints reported later: none");
            return;
        }
        var table = new Table().Border(TableBorder.Simple).AddColumns("Edition", "Hard bounces", "Soft bounces", "Complaints");
        foreach (var (number, c) in rows) table.AddRow($"#{number}", $"{c.HardBounces}", $"{c.SoftBounces}", $"{c.Complaints}");
        console.WriteLine("Bounces and complaints reported later, by edition:");
        console.Write(table);
    }
}
