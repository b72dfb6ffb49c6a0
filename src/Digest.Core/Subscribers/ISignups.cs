namespace Digest.Subscribers;

/// <summary>
/// Readers who signed up and confirmed, kept in the store beside the admin's subscriber file (which Digest never
/// writes), keyed by lower-cased address; and the count of confirmation mails each address was sent.
/// </summary>
public interface ISignups
{
    /// <summary>Stores a confirmed reader, or replaces the name and categories of one stored before.</summary>
    void Save(SignedUpReader reader);

    /// <summary>Every confirmed reader, by address.</summary>
    IReadOnlyList<SignedUpReader> All();

    /// <summary>
    /// Counts one confirmation mail to <paramref name="email"/> at <paramref name="at"/>; false when
    /// <paramref name="max"/> were already counted in the <paramref name="window"/> that began with the first of them.
    /// Atomic: two workers answering at once cannot both send the last one allowed.
    /// </summary>
    bool TryCountConfirmationMail(string email, DateTime at, int max, TimeSpan window);
}

/// <summary>A reader who confirmed their signup.</summary>
public sealed class SignedUpReader
{
    /// <summary>Lower-cased address: the key, as suppressions have it.</summary>
    public string Key { get; set; } = "";

    /// <summary>The address as the reader typed it (canonical form).</summary>
    public string Email { get; set; } = "";
    public string? Name { get; set; }
    public List<string> Categories { get; set; } = [];
    public DateTime ConfirmedAt { get; set; }

    public Subscriber ToSubscriber() => new(Email, Name, Categories);
}

/// <summary>The confirmation-mail count of one address in its current window.</summary>
public sealed class ConfirmationMailCount
{
    public string Key { get; set; } = "";
    public DateTime WindowStart { get; set; }
    public int Count { get; set; }
}
