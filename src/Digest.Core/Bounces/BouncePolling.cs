using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Digest.Bounces;

/// <summary>
/// The worker's bounce reader: reads the mailbox at start and then every Digest:Bounces:Imap:PollInterval.
/// A failed poll is logged and tried again next time; it never stops the worker (or the weekly send).
/// </summary>
public sealed class BouncePolling(BounceReader reader, IOptions<DigestOptions> options, TimeProvider clock, ILogger<BouncePolling> log)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!reader.Enabled) return;
        var interval = options.Value.Bounces.Imap.PollInterval;
        log.LogInformation(BounceEvents.MailboxPolling, "Reading the bounce mailbox {Host} every {Interval}", options.Value.Bounces.Imap.Host, interval);
        using var timer = new PeriodicTimer(interval, clock);
        do
        {
            try
            {
                await reader.ReadOnceAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (BounceMailboxException e)
            {
                log.LogError(BounceEvents.MailboxNotRead, "Bounce mailbox not read: {Reason}; trying again in {Interval}", e.Message, interval);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // BackgroundService stops the whole host on an unhandled exception; a bounce poll is not worth that.
                log.LogError(BounceEvents.MailboxPollFailed, e, "Bounce mailbox poll failed; trying again in {Interval}", interval);
            }
        }
        while (await timer.NextTickAsync(stoppingToken));
    }
}
