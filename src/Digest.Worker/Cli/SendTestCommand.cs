using System.CommandLine;
using Digest.Ledger;
using Digest.Messages;
using Digest.Transport;
using Digest.Input;
using MimeKit;
using MimeKit.Utils;

namespace Digest.Worker.Cli;

/// <summary>
/// `digest send-test --to ADDRESS`: one reader's message of the next (or a stored) edition, sent through the
/// configured relay to any address with "[test]" before the subject. It records nothing and takes no sender
/// lease, so it works while `run` sends.
/// </summary>
public static class SendTestCommand
{
    public const string SubjectPrefix = "[test] ";

    /// <summary>Where test messages go when mail is written to the outbox: a folder of their own beside the editions'.</summary>
    public const string TestFolder = "test";

    public static Command Create(CliContext context)
    {
        var to = new Option<string>("--to") { Description = "The address that gets the test message.", Required = true };
        var edition = new Option<int?>("--edition") { Description = "A stored edition instead of the next one." };
        var subscriber = new Option<string?>("--subscriber") { Description = "Whose message to send (default: the first in the subscriber file)." };
        var command = new Command("send-test", "Send one reader's message of the next edition to an address of your choice, marked [test]; records nothing.") { to, edition, subscriber };
        command.SetAction((parse, _) => context.ExecuteAsync(parse, templates: true, async (services, stopping) =>
        {
            var address = parse.GetValue(to)!;
            if (!MailboxAddress.TryParse(address, out var mailbox) || !mailbox.Address.Contains('@'))
                throw new InvalidInputException(new InputError("--to", 0, "", $"\"{address}\" is not an email address"));
            var chosen = PreviewCommand.Choose(services, parse.GetValue(edition));
            if (chosen is null)
            {
                await context.Error.WriteLineAsync("No comparison is waiting for an edition: there is nothing to test. Use --edition N to send a stored edition.");
                return ExitCodes.Done;
            }
            var reader = PreviewCommand.Reader(services, parse.GetValue(subscriber));
            var options = services.GetRequiredService<IOptions<DigestOptions>>().Value;
            // The reader's content, but addressed to the tester with a Message-ID of its own: the unsubscribe link
            // and any bounce then point at the test address, never at the reader whose message it copies.
            var delivery = new DeliveryRecord
            {
                Edition = chosen.Number,
                Email = mailbox.Address,
                Key = mailbox.Address.ToLowerInvariant(),
                Name = reader.Name,
                Categories = reader.Categories.ToList(),
                MessageId = MimeUtils.GenerateMessageId(MailboxAddress.Parse(options.Sender.Address).Domain),
            };
            var message = await services.GetRequiredService<EditionMessages>().BuildAsync(chosen, delivery, SubjectPrefix);
            var relays = services.GetRequiredService<RelaySet>();
            // The outbox names files by address: a test to a reader's own address must not replace their real message.
            var transport = relays.Outbox is { } outbox ? new OutboxTransport(Path.Combine(outbox.Folder, TestFolder)) : relays.All[0].Transport;
            try
            {
                await using var connection = transport.OpenConnection(chosen.Number);
                var reply = await connection.SendAsync(message, stopping);
                await context.Output.WriteLineAsync($"Test of edition {chosen.Number} ({reader.Email}'s message) sent to {mailbox.Address} via {transport.Description}: {reply}");
                return ExitCodes.Done;
            }
            catch (DeliveryException e)
            {
                await context.Error.WriteLineAsync($"The test message to {mailbox.Address} was not accepted by {transport.Description}: {e.Reply}");
                return ExitCodes.Undelivered;
            }
        }, sends: true));
        return command;
    }
}
