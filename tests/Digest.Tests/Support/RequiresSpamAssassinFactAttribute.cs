namespace Digest.Tests.Support;

/// <summary>A test that needs Debian's SpamAssassin: skipped, with what to install, where it is absent.</summary>
public sealed class RequiresSpamAssassinFactAttribute : FactAttribute
{
    public const string Executable = "/usr/bin/spamassassin";

    public RequiresSpamAssassinFactAttribute()
    {
        if (!File.Exists(Executable)) Skip = "SpamAssassin is not installed (apt-get install spamassassin): spam score check skipped";
    }
}
