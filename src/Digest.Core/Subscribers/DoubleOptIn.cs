using Digest.Comparisons;
using Digest.Messages;
using Digest.Metrics;
using Digest.Transport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Digest.Subscribers;

/// <summary>What became of a signup request. The form's answer is the same for each: nobody can learn from it who is subscribed.</summary>
public enum SignupOutcome
{
    Mailed,
    /// <summary>The honeypot was filled: nothing mailed, nothing stored.</summary>
    Bot,
    /// <summary>The address had its Digest:Signup:MailsPerAddress confirmation mails in the window.</summary>
    AddressLimit,
    /// <summary>The relay refused this one address (a bad mailbox): as far as the form says, mailed.</summary>
    Undeliverable,
}

public enum ConfirmOutcome
{
    Subscribed,
    /// <summary>The reader was suppressed after the link was made (they unsubscribed): an older link cannot undo that.</summary>
    SupersededBySuppression,
    /// <summary>Stored, but a spam complaint suppresses the address; only an admin lifts that.</summary>
    StoredButComplained,
}

/// <summary>Thrown when no relay could take a confirmation mail now: the reader should try again later.</summary>
public sealed class ConfirmationNotSentException(string reply) : Exception(reply);

/// <summary>
/// Double opt-in: a signup mails a sealed, expiring link (<see cref="SignupTokens"/>); only confirming it stores the
/// reader (<see cref="ISignups"/>), who is then on the list from the next edition, beside the readers of the admin's file.
/// </summary>
public sealed class DoubleOptIn(
    IOptions<DigestOptions> digest,
    IOptions<SignupOptions> options,
    SignupTokens tokens,
    ISignups signups,
    ISuppressions suppressions,
    IComparisonStore comparisons,
    RelaySet relays,
    DkimSigning dkim,
    DigestMetrics metrics,
    TimeProvider clock,
    ILogger<DoubleOptIn> log)
{
    /// <summary>Where confirmation mails go when mail is written to the outbox: a folder of their own beside the editions'.</summary>
    public const string OutboxFolder = "signup";

    /// <summary>How long the categories read from the store serve signups: they change only when comparisons are imported.</summary>
    private static readonly TimeSpan CategoriesFresh = TimeSpan.FromMinutes(1);

    private KnownCategories? _categories;

    /// <summary>
    /// The categories a reader may choose: those of the comparisons this list has published or will. Kept a minute,
    /// so a flood of signups does not read every comparison for each.
    /// </summary>
    public IReadOnlyList<string> Categories()
    {
        var now = clock.GetUtcNow();
        if (Volatile.Read(ref _categories) is { } cached && now - cached.ReadAt < CategoriesFresh) return cached.Categories;
        var read = comparisons.Categories();
        Volatile.Write(ref _categories, new KnownCategories(read, now));
        return read;
    }

    /// <summary>A form whose honeypot was filled: counted and logged, nothing mailed or stored.</summary>
    public SignupOutcome IgnoreBot()
    {
        metrics.Signup("bot");
        log.LogInformation(SubscriberEvents.SignupNotMailed, "Signup with the honeypot field filled ignored: nothing mailed");
        return SignupOutcome.Bot;
    }

    /// <summary>
    /// Mails <paramref name="request"/>'s confirmation link, unless the address had its share of them. Throws
    /// <see cref="ConfirmationNotSentException"/> when no relay takes it now.
    /// </summary>
    public async Task<SignupOutcome> RequestAsync(SignupRequest request, CancellationToken cancellationToken)
    {
        var o = options.Value;
        if (!signups.TryCountConfirmationMail(request.Email, clock.GetUtcNow().UtcDateTime, o.MailsPerAddress, o.AddressWindow))
        {
            metrics.Signup("address_limit");
            log.LogWarning(SubscriberEvents.SignupNotMailed, "Signup for {Email}: it had its {Max} confirmation mails within Digest:Signup:AddressWindow ({Window}); none sent",
                request.Email, o.MailsPerAddress, o.AddressWindow);
            return SignupOutcome.AddressLimit;
        }
        var link = $"{o.PublicUrl(digest.Value)}/confirm?token={tokens.Create(request)}";
        var message = ConfirmationMessage.Build(digest.Value, dkim, request, link, o.ConfirmWithin, clock.GetUtcNow());
        string? lastRelayFailure = null;
        foreach (var relay in relays.All)
        {
            // The outbox names files by address: a confirmation must never replace a reader's edition.
            var transport = relay.Transport is OutboxTransport outbox ? new OutboxTransport(Path.Combine(outbox.Folder, OutboxFolder)) : relay.Transport;
            try
            {
                await using var connection = transport.OpenConnection(0);
                await connection.SendAsync(message, cancellationToken);
                metrics.Signup("mailed");
                log.LogInformation(SubscriberEvents.SignupMailed, "Signup for {Email}: confirmation mailed via {Transport}", request.Email, transport.Description);
                return SignupOutcome.Mailed;
            }
            catch (DeliveryException e) when (e.IsRelayFailure)
            {
                lastRelayFailure = e.Reply;
                log.LogWarning(SubscriberEvents.SignupRelayFailed, "Signup for {Email}: relay {Relay} did not take the confirmation: {Reply}", request.Email, relay.Name, e.Reply);
            }
            catch (DeliveryException e)
            {
                metrics.Signup("undeliverable");
                log.LogWarning(SubscriberEvents.SignupNotMailed, "Signup for {Email}: the confirmation was refused: {Reply}", request.Email, e.Reply);
                return SignupOutcome.Undeliverable;
            }
        }
        throw new ConfirmationNotSentException(lastRelayFailure ?? "no relay");
    }

    /// <summary>Stores the reader of a genuine, unexpired link, unless they were suppressed after it was made.</summary>
    public ConfirmOutcome Confirm(SignupTicket ticket)
    {
        var request = ticket.Request;
        var key = request.Email.ToLowerInvariant();
        var suppression = suppressions.Contains(key) ? suppressions.All().FirstOrDefault(s => s.Email == key) : null;
        if (suppression is not null && suppression.At >= ticket.IssuedAt && suppression.Reason != SuppressionReason.Complaint)
        {
            log.LogInformation(SubscriberEvents.SignupConfirmRefused, "Confirmation for {Email} refused: the link was made before their suppression ({Reason})", request.Email, suppression.Reason);
            return ConfirmOutcome.SupersededBySuppression;
        }
        signups.Save(new SignedUpReader
        {
            Key = request.Email.ToLowerInvariant(),
            Email = request.Email,
            Name = request.Name,
            Categories = [.. request.Categories],
            ConfirmedAt = clock.GetUtcNow().UtcDateTime,
        });
        metrics.Signup("confirmed");
        // A confirmation proves they read this mailbox and want the list now: it lifts what they or their mailbox
        // did before (an unsubscribe, bounces). A spam complaint stays until an admin lifts it.
        if (suppression is { Reason: SuppressionReason.Complaint })
        {
            log.LogWarning(SubscriberEvents.SignupConfirmedButComplained, "Signup of {Email} confirmed, but a spam complaint suppresses the address; `digest resubscribe {Email}` lifts it", request.Email, request.Email);
            return ConfirmOutcome.StoredButComplained;
        }
        if (suppression is not null && suppressions.Remove(request.Email))
            log.LogInformation(SubscriberEvents.SignupConfirmed, "Signup of {Email} confirmed: their suppression ({Reason}, {At:u}) is lifted", request.Email, suppression.Reason, suppression.At);
        else
            log.LogInformation(SubscriberEvents.SignupConfirmed, "Signup of {Email} confirmed", request.Email);
        return ConfirmOutcome.Subscribed;
    }

    private sealed record KnownCategories(IReadOnlyList<string> Categories, DateTimeOffset ReadAt);
}
