using Digest.Editions;

namespace Digest.Ledger;

/// <summary>
/// The record per reader of who got which edition: the port the pipeline sends through. An edition's plan,
/// the readers still to send, their outcomes and the counts an admin reads all come from here; the store
/// behind it (LiteDB file, PostgreSQL) is chosen at start-up.
/// </summary>
public interface IDeliveryLedger
{
    /// <summary>
    /// Stores the edition, marks its comparisons as sent in it (both or neither) and stores one planned delivery per
    /// recipient; each delivery's <see cref="DeliveryRecord.UpdatedAt"/> is set to now. The plan is written in parts:
    /// the edition is stored first with <see cref="Edition.Planning"/> set, <paramref name="sendable"/> is called
    /// after the first part and the mark is cleared at the end, so sending can start while the rest is written
    /// (<see cref="PendingAsync"/> given the plan's task waits for more). A plan cut short (a crash, or
    /// <paramref name="cancellationToken"/>) leaves the edition marked; planning it again keeps the readers already
    /// stored (some may have been sent) and adds the others after them. An edition given with the mark whose stored
    /// plan is no longer marked was finished meanwhile (by the worker writing it): nothing is planned. An edition
    /// planned again without the mark (a test, or a plan from before the mark, which stored its edition last) has
    /// its plan replaced.
    /// </summary>
    /// <returns>How many deliveries this call planned in each state.</returns>
    IReadOnlyDictionary<DeliveryState, int> Plan(Edition edition, IEnumerable<DeliveryRecord> deliveries,
        Action? sendable = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// The edition's deliveries still to be sent (planned, or deferred by an earlier run), in plan order, a page
    /// at a time so memory stays flat however long the list. A planned reader is due at <see cref="DeliveryRecord.DueAt"/>
    /// ≤ <paramref name="dueBy"/> (all when null); a deferred one likewise, or at once with <paramref name="deferredNow"/>.
    /// A store shared by several senders hands each reader to one of them only (a claim): claimed for
    /// <paramref name="claimant"/>, the sender slot whose recorder then writes their outcomes, the claim lasting as
    /// long as the slot does. While <paramref name="planning"/> runs the plan may still grow: the readers stored
    /// meanwhile are handed out too, and the enumeration ends only once it has ended.
    /// </summary>
    IAsyncEnumerable<DeliveryRecord> PendingAsync(int edition, DateTime? dueBy = null, int pageSize = 1000, bool deferredNow = false,
        IHeldLease? claimant = null, Task? planning = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Whether another process is writing the edition's plan now, so its <see cref="Edition.Planning"/> mark means
    /// "being written", not "cut short": a store several workers share knows; one with a single sender says no.
    /// </summary>
    bool IsBeingPlanned(int edition);

    /// <summary>
    /// Whether any of the edition's readers is still planned (due now or at their local morning). Asked for every
    /// open edition each time a run looks for the current one (every minute while readers wait for their morning):
    /// it stops at the first such reader, where <see cref="Count"/> reads the whole edition.
    /// </summary>
    bool AnyPlanned(int edition);

    /// <summary>How many of the edition's readers a run at <paramref name="now"/> would send to.</summary>
    int Due(int edition, DateTime now, bool deferredNow = false);

    /// <summary>
    /// Undoes refusals a run recorded that turned out to be the relay's (the circuit breaker tripped): the readers
    /// are planned again (<see cref="DeliveryRecord.LastReply"/> becomes "<paramref name="reason"/> (was: …)") and the
    /// hard-bounce suppressions made for them at or after <paramref name="since"/> are lifted, in one transaction.
    /// </summary>
    void Restore(IReadOnlyCollection<DeliveryRecord> refused, DateTime since, string reason);

    /// <summary>
    /// Writes a batch of outcomes in one transaction. A bounced reader is suppressed (hard bounce) in the same
    /// transaction unless already suppressed, so no later edition can reach them.
    /// </summary>
    void Record(IReadOnlyCollection<DeliveryRecord> outcomes);

    /// <summary>
    /// Opened once per dispatch: takes each outcome as it happens and completes when it is durable, so a sender
    /// waits for that before it sends again. Once <paramref name="lease"/> is no longer held the recorder writes
    /// nothing more into the ledger itself: what it made durable is the new holder's to recover
    /// (<see cref="RecoverOutcomes"/>), so a paused sender never overwrites what the new one recorded. A store
    /// shared by several senders writes an outcome only while the reader's claim is still <paramref name="lease"/>'s,
    /// and faults it (<see cref="SenderLeaseLostException"/>) when another sender has claimed the reader since.
    /// </summary>
    IOutcomeRecorder OpenRecorder(IHeldLease lease);

    /// <summary>
    /// Brings the ledger up to date with outcomes a run that crashed made durable but had not yet written here
    /// (a bounce suppresses as it would have). Called with the sender lease held, before anything is sent.
    /// </summary>
    /// <returns>How many outcomes were recovered.</returns>
    int RecoverOutcomes();

    /// <summary>The reader's delivery of the edition (address compared without case), or null.</summary>
    DeliveryRecord? Find(int edition, string email);

    /// <summary>The delivery with this id (<see cref="DeliveryRecord.IdFor"/>), or null (never planned, or folded).</summary>
    DeliveryRecord? Find(long id);

    /// <summary>The delivery whose message carried this Message-ID (without angle brackets), or null.</summary>
    DeliveryRecord? FindByMessageId(string messageId);

    /// <summary>The lower-cased addresses the edition bounced.</summary>
    HashSet<string> Bounced(int edition);

    /// <summary>Every delivery of the edition, in plan order.</summary>
    IReadOnlyList<DeliveryRecord> ForEdition(int edition);

    /// <summary>The edition's counts from its per-reader records.</summary>
    EditionCounts Count(int edition);

    /// <summary>The edition's counts, from its records or, once they were folded, from what they counted.</summary>
    EditionCounts Count(Edition edition) =>
        edition.Folded is { } f ? new EditionCounts(f.Planned, f.Sent, f.Deferred, f.Bounced, f.Skipped, f.Failed) : Count(edition.Number);

    /// <summary>Messages of the edition each relay accepted (a relay-less record counts under "?").</summary>
    IReadOnlyDictionary<string, int> SentByRelay(int edition);

    /// <summary>Messages of the edition each relay accepted, from its records or what they counted.</summary>
    IReadOnlyDictionary<string, int> SentByRelay(Edition edition) => edition.Folded?.SentByRelay ?? SentByRelay(edition.Number);

    /// <summary>Readers of the edition planned and waiting for their local time (due after <paramref name="now"/>), by zone ("(no zone)" when none), with when the first is due; soonest first.</summary>
    IReadOnlyList<(string Zone, int Count, DateTime Next)> Waiting(int edition, DateTime now);

    /// <summary>
    /// Folds every complete edition older than the newest <paramref name="keep"/> into counts kept on the edition
    /// (<see cref="Edition.Folded"/>) and deletes its per-reader records. Counts first, then the records: a crash
    /// in between leaves records of a folded edition, which the next fold deletes.
    /// </summary>
    /// <returns>The editions folded now.</returns>
    IReadOnlyList<int> Fold(int keep);
}

/// <summary>
/// Outcomes of one dispatch on their way into the ledger. Implementations batch them (group commit): many
/// connections' outcomes become durable together. Disposing writes what is left.
/// </summary>
public interface IOutcomeRecorder : IAsyncDisposable
{
    /// <summary>Completes when the outcome is durable (survives a crash of the process or the machine); faults when it cannot be made so.</summary>
    Task RecordAsync(DeliveryRecord delivery);
}
