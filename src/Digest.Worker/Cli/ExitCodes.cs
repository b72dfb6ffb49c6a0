namespace Digest.Worker.Cli;

public static class ExitCodes
{
    public const int Done = 0;
    public const int Unexpected = 1;
    /// <summary>Bad input or configuration; the message says what and where.</summary>
    public const int BadInput = 2;
    /// <summary>Recipients of the edition are still waiting: deferred, or the server refused everyone.</summary>
    public const int Undelivered = 3;
    /// <summary>Another process holds the sender lease on this store.</summary>
    public const int Busy = 4;
}
