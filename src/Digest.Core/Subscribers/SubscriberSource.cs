using Digest.Input;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Digest.Subscribers;

/// <summary>
/// The subscriber list: the admin's file as it is now, then the readers who signed up and confirmed
/// (<see cref="ISignups"/>). The file is read afresh for every edition, and the worker's
/// <see cref="SubscriberFileWatcher"/> re-reads it as soon as it changes, so edits need no restart; a bad edit is
/// reported and the last good list stays in force. Digest never writes the file.
/// </summary>
public sealed class SubscriberSource(IOptions<DigestOptions> options, ISignups signups, ILogger<SubscriberSource> log)
{
    private readonly Lock _gate = new();
    private LastGoodList? _lastGood;

    public string Path => options.Value.Subscribers.Path;

    /// <summary>
    /// Everyone on the list: the file's readers, then the signed-up readers who are not in the file. A reader in
    /// both counts once, with the file's name and categories: the file is the admin's word.
    /// Throws <see cref="InvalidInputException"/> only if no good file was ever read.
    /// </summary>
    public IReadOnlyList<Subscriber> Current() => Everyone(inAddressOrder: false);

    /// <summary>
    /// Everyone on the list, as <see cref="Current"/>, in the order an edition is planned: the file's readers in
    /// address order (<see cref="SubscriberList.InAddressOrder"/>), then the signed-up readers, who are in address order already.
    /// </summary>
    public IReadOnlyList<Subscriber> InPlanOrder() => Everyone(inAddressOrder: true);

    private IReadOnlyList<Subscriber> Everyone(bool inAddressOrder)
    {
        var file = InFile();
        var signedUp = SignedUpBesides(file);
        var fromFile = inAddressOrder ? file.InAddressOrder() : file;
        return signedUp.Count == 0 ? fromFile : new Joined(fromFile, signedUp);
    }

    /// <summary>The confirmed signups the file does not list, in address order.</summary>
    public IReadOnlyList<Subscriber> SignedUpBesides(SubscriberList file) =>
        [.. signups.All().Select(r => r.ToSubscriber()).Where(s => !file.Contains(s.Email))];

    /// <summary>The file's readers; throws <see cref="InvalidInputException"/> only if no good file was ever read.</summary>
    public SubscriberList InFile()
    {
        try
        {
            return Keep();
        }
        catch (InvalidInputException e)
        {
            var lastGood = LastGood();
            if (lastGood is null) throw;
            LogRefused(e, lastGood);
            return lastGood.Read();
        }
    }

    /// <summary>Re-reads the file after a change and logs what happened: who was added and removed, or why the edit was refused.</summary>
    public void Reload()
    {
        var before = LastGood();
        SubscriberList list;
        try
        {
            list = Keep();
        }
        catch (InvalidInputException e)
        {
            if (before is null)
                log.LogError(SubscriberEvents.SubscribersUnreadable, "The subscriber file {Path} changed but has errors, and no good list was read yet:{NewLine}{Errors}", Path, Environment.NewLine, e.Message);
            else
                LogRefused(e, before);
            return;
        }
        var was = before?.Read();
        log.LogInformation(SubscriberEvents.SubscribersReloaded, "Subscriber file {Path} reloaded: {Count} subscribers ({Added} added, {Removed} removed)",
            Path, list.Count, list.Count(s => was?.Contains(s.Email) != true), was?.Count(s => !list.Contains(s.Email)) ?? 0);
    }

    /// <summary>The readers in the file, which becomes the last good list when they are.</summary>
    private SubscriberList Keep()
    {
        var (list, good) = LastGoodList.Load(Path);
        lock (_gate) _lastGood = good;
        return list;
    }

    private LastGoodList? LastGood()
    {
        lock (_gate) return _lastGood;
    }

    private void LogRefused(InvalidInputException e, LastGoodList lastGood) =>
        log.LogError(SubscriberEvents.SubscribersEditRefused, "The subscriber file {Path} has errors; the edit is refused and the last good list of {Count} stays in force:{NewLine}{Errors}",
            Path, lastGood.Count, Environment.NewLine, e.Message);

    /// <summary>The file's readers, then the signups: read in place, since a copy of a long list would be held twice while it is planned.</summary>
    private sealed class Joined(IReadOnlyList<Subscriber> first, IReadOnlyList<Subscriber> then) : IReadOnlyList<Subscriber>
    {
        public int Count => first.Count + then.Count;

        public Subscriber this[int index] => index < first.Count ? first[index] : then[index - first.Count];

        public IEnumerator<Subscriber> GetEnumerator() => first.Concat(then).GetEnumerator();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
