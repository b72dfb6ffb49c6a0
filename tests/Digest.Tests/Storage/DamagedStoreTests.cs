using System.Security.Cryptography;
using System.Text;
using Digest.Tests.Support;

namespace Digest.Tests.Storage;

/// <summary>A store file damaged on disk is refused, never read as empty, and never written by reading commands.</summary>
public sealed class DamagedStoreTests : WorkspaceTest
{
    public enum Damage { HeaderZeroed, BytesFlipped, Truncated }

    private string StorePath => Ws.Settings["Digest:Store:Path"]!;

    private async Task SendFirstEditionAsync()
    {
        Ws.WriteComparisons("c.json", Samples.Comparison("alpha-vs-beta", "2026-11-20T10:00:00Z"));
        Assert.Equal(0, (await Ws.RunAsync("send-now")).ExitCode);
        Assert.Equal(0, (await Ws.RunAsync("unsubscribe", "grace@example.com")).ExitCode);
        Assert.Equal(3, Ws.OutboxFiles(1).Count);
    }

    private void Apply(Damage damage)
    {
        using var file = new FileStream(StorePath, FileMode.Open, FileAccess.ReadWrite);
        switch (damage)
        {
            case Damage.HeaderZeroed:
                // LiteDB's header page keeps the list of collections from byte 192: zeroed, LiteDB opens the file as empty.
                file.Position = 192;
                file.Write(new byte[100]);
                break;
            case Damage.BytesFlipped:
                // The start of the page that holds the edition's comparison: its page header and first document.
                var bytes = File.ReadAllBytes(StorePath);
                var at = bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes("alpha-vs-beta title"));
                Assert.True(at > 0);
                var page = at / 8192 * 8192;
                file.Position = page;
                var chunk = new byte[100];
                file.ReadExactly(chunk);
                file.Position = page;
                file.Write(chunk.Select(b => (byte)~b).ToArray());
                break;
            case Damage.Truncated:
                file.SetLength(file.Length / 2);
                break;
        }
    }

    [Theory]
    [InlineData(Damage.HeaderZeroed)]
    [InlineData(Damage.BytesFlipped)]
    [InlineData(Damage.Truncated)]
    public async Task A_damaged_store_is_refused_with_how_to_restore_by_every_command_and_reading_commands_leave_it_unchanged(Damage damage)
    {
        await SendFirstEditionAsync();
        Apply(damage);
        var before = SHA256.HashData(File.ReadAllBytes(StorePath));
        var modified = File.GetLastWriteTimeUtc(StorePath);

        foreach (var args in new[] { ["status"], ["suppressions"], ["preview"], ["send-now", "--dry-run"], new[] { "send-now" } })
        {
            var result = await Ws.RunAsync(args);
            Assert.True(result.ExitCode == 2, $"{string.Join(' ', args)}: {result}");
            Assert.Contains("damaged", result.Error);
            Assert.Contains("restore", result.Error, StringComparison.OrdinalIgnoreCase);
            Assert.Equal(before, SHA256.HashData(File.ReadAllBytes(StorePath)));
            Assert.Equal(modified, File.GetLastWriteTimeUtc(StorePath));
        }
        // Nothing went out again, to readers or to the one who unsubscribed.
        Assert.Equal(3, Ws.OutboxFiles(1).Count);
        Assert.Empty(Ws.OutboxFiles(2));
    }

    [Fact]
    public async Task Reading_commands_do_not_write_to_a_healthy_store()
    {
        await SendFirstEditionAsync();
        var before = SHA256.HashData(File.ReadAllBytes(StorePath));
        var modified = File.GetLastWriteTimeUtc(StorePath);

        foreach (var args in new[] { ["status"], ["suppressions"], ["preview"], new[] { "send-now", "--dry-run" } })
            Assert.Equal(0, (await Ws.RunAsync(args)).ExitCode);

        Assert.Equal(before, SHA256.HashData(File.ReadAllBytes(StorePath)));
        Assert.Equal(modified, File.GetLastWriteTimeUtc(StorePath));
    }

    [Fact]
    public async Task A_store_restored_from_a_copy_taken_while_no_sender_ran_works_again()
    {
        await SendFirstEditionAsync();
        var backup = StorePath + ".backup";
        File.Copy(StorePath, backup);
        Apply(Damage.HeaderZeroed);
        Assert.Equal(2, (await Ws.RunAsync("status")).ExitCode);

        File.Copy(backup, StorePath, overwrite: true);
        var status = await Ws.RunAsync("status");
        var again = await Ws.RunAsync("send-now");

        Assert.Equal(0, status.ExitCode);
        Assert.Contains("#1", status.Output);
        Assert.Contains("Suppressed addresses: 1", status.Output);
        Assert.Equal(0, again.ExitCode);
        Assert.Contains("nothing to send", again.Output);
    }
}
