using System.CommandLine;
using Digest.Input;
using Digest.Subscribers;

namespace Digest.Worker.Cli;

/// <summary>`unsubscribe`, `resubscribe` and `suppressions`: the admin's hand on the suppression list.</summary>
public static class SuppressionCommands
{
    public static IEnumerable<Command> Create(CliContext context)
    {
        var email = new Argument<string>("email") { Description = "The address." };
        var unsubscribe = new Command("unsubscribe", "Suppress an address: it gets nothing more, whatever the subscriber file says.") { email };
        unsubscribe.SetAction((parse, _) => context.ExecuteAsync(parse, templates: false, async (services, _) =>
        {
            var address = Checked(parse.GetValue(email)!);
            var added = services.GetRequiredService<ISuppressions>().Add(address, SuppressionReason.Unsubscribed, "by an admin");
            services.GetRequiredService<ILogger<ISuppressions>>().LogInformation(AdminEvents.AdminUnsubscribed, "Admin unsubscribed {Email}", address);
            await context.Output.WriteLineAsync(added ? $"{address} is unsubscribed." : $"{address} was already suppressed.");
            return ExitCodes.Done;
        }));

        var optionalEmail = new Argument<string?>("email") { Description = "The address (or use --edition and --reason).", Arity = ArgumentArity.ZeroOrOne };
        var edition = new Option<int?>("--edition") { Description = "Lift the suppressions an edition's delivery made (with --reason)." };
        var reason = new Option<string?>("--reason") { Description = "With --edition: which suppressions to lift (hard-bounce)." };
        var dryRun = new Option<bool>("--dry-run") { Description = "With --edition: list who would be resubscribed, change nothing." };
        var resubscribe = new Command("resubscribe", "Lift the suppression of an address, or in bulk those an edition made (admin only; logged).")
        {
            optionalEmail, edition, reason, dryRun,
        };
        resubscribe.SetAction((parse, _) => context.ExecuteAsync(parse, templates: false, async (services, _) =>
        {
            if (parse.GetValue(edition) is { } number)
                return await ResubscribeEditionAsync(context, services, number, parse.GetValue(reason), parse.GetValue(dryRun));
            var address = Checked(parse.GetValue(optionalEmail)
                ?? throw new InvalidInputException(new InputError("resubscribe", 0, "", "give an address, or --edition N --reason hard-bounce")));
            var removed = services.GetRequiredService<ISuppressions>().Remove(address);
            services.GetRequiredService<ILogger<ISuppressions>>().LogWarning(AdminEvents.AdminResubscribed, "Admin resubscribed {Email}", address);
            await context.Output.WriteLineAsync(removed ? $"{address} may receive the digest again." : $"{address} was not suppressed.");
            return ExitCodes.Done;
        }));

        var export = new Option<string?>("--export") { Description = "Write the list as CSV to this file." };
        var list = new Command("suppressions", "List suppressed addresses (unsubscribed, bounced).") { export };
        list.SetAction((parse, _) => context.ExecuteAsync(parse, templates: false, async (services, _) =>
        {
            var all = services.GetRequiredService<ISuppressions>().All();
            var lines = all.Select(s => $"{s.Email},{s.Reason},{s.At:yyyy-MM-ddTHH:mm:ssZ},\"{s.Detail?.Replace("\"", "\"\"")}\"").Prepend("email,reason,at,detail");
            if (parse.GetValue(export) is { } file)
            {
                // Addresses: the owner's only, as the store is.
                await using (var writer = new StreamWriter(Storage.PrivateFiles.OpenWrite(file)))
                    foreach (var line in lines) await writer.WriteLineAsync(line);
                await context.Output.WriteLineAsync($"{all.Count} suppressions written to {file}");
            }
            else
            {
                foreach (var line in lines) await context.Output.WriteLineAsync(line);
            }
            return ExitCodes.Done;
        }, readOnlyStore: true));
        return [unsubscribe, resubscribe, list];
    }

    /// <summary>
    /// The way back from a relay that bounced readers it should not have: lifts the hard-bounce suppressions
    /// that one edition's delivery made, and only those (an unsubscribe is never undone in bulk).
    /// </summary>
    private static async Task<int> ResubscribeEditionAsync(CliContext context, IServiceProvider services, int edition, string? reason, bool dryRun)
    {
        if (reason != "hard-bounce")
            throw new InvalidInputException(new InputError("--reason", 0, reason ?? "", "must be hard-bounce (the only reason lifted in bulk)"));
        var suppressions = services.GetRequiredService<ISuppressions>();
        var bounced = services.GetRequiredService<Digest.Ledger.IDeliveryLedger>().Bounced(edition);
        var lifted = suppressions.All()
            .Where(s => s.Reason == SuppressionReason.HardBounce && (bounced.Contains(s.Email) || s.Detail?.StartsWith($"edition {edition}:", StringComparison.Ordinal) == true))
            .Select(s => s.Email)
            .ToList();
        if (dryRun)
        {
            await context.Output.WriteLineAsync($"Would resubscribe {lifted.Count} addresses suppressed as hard bounces by edition {edition}:");
            foreach (var email in lifted) await context.Output.WriteLineAsync($"  {email}");
            await context.Output.WriteLineAsync("Nothing was changed (--dry-run).");
            return ExitCodes.Done;
        }
        var removed = lifted.Count(suppressions.Remove);
        services.GetRequiredService<ILogger<ISuppressions>>()
            .LogWarning(AdminEvents.AdminResubscribedEdition, "Admin resubscribed {Count} addresses suppressed as hard bounces by edition {Edition}: {Emails}", removed, edition, string.Join(", ", lifted));
        await context.Output.WriteLineAsync($"{removed} addresses may receive the digest again (hard bounces of edition {edition}).");
        return ExitCodes.Done;
    }

    private static string Checked(string email) =>
        SubscriberFile.Canonical(email.Trim()) ?? throw new InvalidInputException(new InputError("email", 0, "", $"\"{email}\" is not a valid email address"));
}
