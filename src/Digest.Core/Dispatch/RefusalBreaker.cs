
namespace Digest.Dispatch;

/// <summary>
/// The last line of defence against a relay that refuses everyone with replies that look like the readers'
/// fault (a misconfigured relay answering "550 5.1.1 user unknown" to every address): when most of the first
/// recipients of a run on one relay are refused, the refusals are the relay's, not the readers'.
/// </summary>
/// <remarks>
/// It trips when, within the first <see cref="Window"/> replies of the run on the relay, at least
/// <see cref="Threshold"/> are refusals and they are more than half: 20 in a row at the start, or more than
/// half of a window of 40. A list with many dead addresses trips it too; the readers then stay planned and
/// the admin reads why (clean the list, or send to fewer at once). Lists of fewer than 20 never trip it.
/// </remarks>
public sealed class RefusalBreaker
{
    public const int Window = 40;
    public const int Threshold = 20;
    private readonly Lock _lock = new();
    private int _replies, _refused;
    private bool _tripped;

    /// <summary>Counts one reply about a reader; returns the counts when this reply trips the breaker.</summary>
    public (int Refused, int Replies)? Record(bool refused)
    {
        lock (_lock)
        {
            if (_tripped || _replies >= Window) return null;
            _replies++;
            if (refused) _refused++;
            _tripped = _refused >= Threshold && 2 * _refused > _replies;
            return _tripped ? (_refused, _replies) : null;
        }
    }
}
