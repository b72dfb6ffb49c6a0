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
            var added = services.GetRequiredService<SuppressionList>().Add(address, SuppressionReason.Unsubscribed, "by an admin");
            services.GetRequiredService<ILogger<SuppressionList>>().LogInformation("Admin unsubscribed {Email}", address);
            await context.Output.WriteLineAsync(added ? $"{address} is unsubscribed." : $"{address} was already suppressed.");
            return ExitCodes.Done;
        }));

        var resubscribe = new Command("resubscribe", "Lift the suppression of an address (admin only; logged).") { email };
        resubscribe.SetAction((parse, _) => context.ExecuteAsync(parse, templates: false, async (services, _) =>
        {
            var address = Checked(parse.GetValue(email)!);
            var removed = services.GetRequiredService<SuppressionList>().Remove(address);
            services.GetRequiredService<ILogger<SuppressionList>>().LogWarning("Admin resubscribed {Email}", address);
            await context.Output.WriteLineAsync(removed ? $"{address} may receive the digest again." : $"{address} was not suppressed.");
            return ExitCodes.Done;
        }));

        var export = new Option<string?>("--export") { Description = "Write the list as CSV to this file." };
        var list = new Command("suppressions", "List suppressed addresses (unsubscribed, bounced).") { export };
        list.SetAction((parse, _) => context.ExecuteAsync(parse, templates: false, async (services, _) =>
        {
            var all = services.GetRequiredService<SuppressionList>().All();
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

    private static string Checked(string email) =>
        SubscriberFile.Canonical(email.Trim()) ?? throw new InvalidInputException(new InputError("email", 0, "", $"\"{email}\" is not a valid email address"));
}
