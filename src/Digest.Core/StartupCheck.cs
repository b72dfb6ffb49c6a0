using Digest.Editions;
using Digest.Rendering;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Digest;

/// <summary>
/// What must hold before Digest does anything: valid settings, a store that opens, and (for the commands
/// that render) templates that parse and render a sample edition. Failing here names the key or file:line.
/// </summary>
public static class StartupCheck
{
    /// <param name="sends">The command may send mail: the settings a real send needs are checked too.</param>
    public static async Task RunAsync(IServiceProvider services, bool templates, bool sends = false)
    {
        services.GetRequiredService<IStartupValidator>().Validate();
        var options = services.GetRequiredService<IOptions<DigestOptions>>().Value;
        if (sends) RealSendCheck.Run(options);
        if (UnixCron.IsUnix(options.Schedule.Cron))
            services.GetRequiredService<ILoggerFactory>().CreateLogger("Digest.Schedule").LogInformation(
                StartupEvents.UnixCronRead, "Digest:Schedule:Cron \"{Cron}\" has 5 fields (Unix cron); read as the Quartz cron \"{QuartzCron}\"",
                options.Schedule.Cron, options.Schedule.QuartzCron);
        // Fails now, not later, on a short or unreadable unsubscribe key.
        Subscribers.UnsubscribeTokens.ReadKey(options.Unsubscribe);
        Subscribers.UnsubscribeKey.CheckExisting(options);
        // Opens the store: a damaged or unreachable one fails here, naming it.
        services.GetRequiredService<IEditionStore>();
        WarnWithoutPostalAddress(options, services.GetRequiredService<ILoggerFactory>().CreateLogger("Digest.Startup"));
        if (templates) await services.GetRequiredService<DigestRenderer>().SelfCheckAsync(options.ListName);
    }

    /// <summary>
    /// CAN-SPAM wants a postal address in every commercial mail. The outbox (local files) is exempt; real sending
    /// without one is legal outside the US, so it is a warning, not an error.
    /// </summary>
    private static void WarnWithoutPostalAddress(DigestOptions options, ILogger log)
    {
        var sendsOverSmtp = !string.IsNullOrWhiteSpace(options.Smtp.Host) || options.Relays.Count > 0;
        if (sendsOverSmtp && string.IsNullOrWhiteSpace(options.Sender.PostalAddress))
            log.LogWarning(StartupEvents.NoPostalAddress, "Digest:Sender:PostalAddress is not set: the footer has no postal address, which CAN-SPAM requires in commercial mail sent to US readers");
    }
}
