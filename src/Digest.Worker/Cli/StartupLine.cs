using Digest.Delivery;

namespace Digest.Worker.Cli;

/// <summary>
/// The one line every command starts with: which settings file, which store and which transport it will use,
/// so an edition can never go to the outbox (or the wrong store) without the admin seeing it first. Commands
/// print it on stderr, keeping stdout parseable; the worker logs it.
/// </summary>
public static class StartupLine
{
    public static string For(IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<DigestOptions>>().Value;
        var config = services.GetRequiredService<ConfigFile>();
        return $"Digest: config {config}, store {Path.GetFullPath(options.Store.Path)}, transport {services.GetRequiredService<RelaySet>().Description}";
    }
}
