using System.Text.Json;
using Digest.Input;
using Digest.Ledger;
using Digest.Rendering;
using Digest.Storage;

namespace Digest.Worker;

/// <summary>Turns the errors an admin can cause into a message and an exit code; anything else is a bug.</summary>
public static class CliErrors
{
    public static bool IsExpected(Exception e) => Code(e) != Cli.ExitCodes.Unexpected;

    public static int Code(Exception e) => e switch
    {
        // Readers are still waiting, as after an outage: nothing is lost, the next run resumes once there is room.
        _ when DiskFull(e) is not null => Cli.ExitCodes.Undelivered,
        OptionsValidationException or InvalidInputException or TemplateException or StoreUnavailableException or StoreDamagedException or StoreTooNewException => Cli.ExitCodes.BadInput,
        // A damaged page met after the store was checked on opening.
        _ when StoreFailure.IsDamaged(e) => Cli.ExitCodes.BadInput,
        InvalidDataException { InnerException: FormatException } => Cli.ExitCodes.BadInput,
        FileNotFoundException f when f.FileName?.EndsWith(".json", StringComparison.Ordinal) == true => Cli.ExitCodes.BadInput,
        InvalidOperationException i when i.Message.StartsWith("Failed to convert configuration value", StringComparison.Ordinal) => Cli.ExitCodes.BadInput,
        Subscribers.SubscriberListShrankException => Cli.ExitCodes.BadInput,
        SenderBusyException or SenderLeaseLostException => Cli.ExitCodes.Busy,
        _ => Cli.ExitCodes.Unexpected,
    };

    public static string Describe(Exception e) => e switch
    {
        _ when DiskFull(e) is { } full
            => $"Disk full: {full.Message.Trim()}. Nothing recorded was lost; free space there and run send-now again: it resumes the edition.",
        OptionsValidationException o => "Invalid configuration:" + Environment.NewLine + string.Join(Environment.NewLine, o.Failures.Select(f => "  " + f)),
        // The JSON provider's message names the file; its inner exception has the line.
        InvalidDataException { InnerException: FormatException { InnerException: JsonException j } } d
            => $"{d.Message} Line {j.LineNumber + 1}: {j.Message.Split(" LineNumber:")[0]}",
        InvalidDataException { InnerException: FormatException f } d => $"{d.Message} {f.Message}",
        InvalidOperationException i when i.Message.StartsWith("Failed to convert configuration value", StringComparison.Ordinal)
            => $"Invalid configuration: {i.Message} {i.InnerException?.Message}".Trim(),
        FileNotFoundException f => $"Configuration file not found: {f.FileName}",
        _ when StoreFailure.IsDamaged(e)
            => $"The store (Digest:Store:Path) is damaged: {e.Message}. Stop any running worker and restore your last backup copy of it (README, \"Backup and restore\").",
        _ => e.Message,
    };

    /// <summary>The out-of-space error anywhere in <paramref name="e"/>, whose message names the file (.NET puts the path in it).</summary>
    private static IOException? DiskFull(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
        {
            if (e is AggregateException a) return a.InnerExceptions.Select(DiskFull).FirstOrDefault(f => f is not null);
            // ENOSPC on Linux; ERROR_DISK_FULL and ERROR_HANDLE_DISK_FULL on Windows.
            if (e is IOException io && (io.HResult is 28 or unchecked((int)0x80070070) or unchecked((int)0x80070027)
                                        || io.Message.Contains("No space left on device", StringComparison.Ordinal))) return io;
        }
        return null;
    }
}
