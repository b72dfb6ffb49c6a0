using System.Diagnostics;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using Digest.Tests.Support;

namespace Digest.Tests.Cli;

/// <summary>
/// `digest run` as a systemd Type=notify service sees it: a real child process whose parent is named `systemd`
/// (a copy of bash: the hosting library recognises systemd by its parent's name) and NOTIFY_SOCKET pointing at a
/// datagram socket of the test's, standing in for systemd's.
/// </summary>
public sealed class SystemdTests : WorkspaceTest
{
    [Fact]
    public async Task Under_systemd_the_worker_notifies_ready_and_stopping_and_logs_with_journald_priorities()
    {
        var socketPath = Path.Combine(Ws.Root, "notify.sock");
        using var notify = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        notify.Bind(new UnixDomainSocketEndPoint(socketPath));
        var systemd = Path.Combine(Ws.Root, "systemd");
        File.Copy("/bin/bash", systemd);
        var info = new ProcessStartInfo(systemd) { WorkingDirectory = Ws.Root, RedirectStandardOutput = true, UseShellExecute = false };
        // "; exit": bash would otherwise exec the last command and stop being the parent.
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add($"dotnet '{Path.Combine(AppContext.BaseDirectory, "digest.dll")}' run; exit $?");
        foreach (var (key, value) in Ws.Settings) info.Environment[key.Replace(":", "__")] = value ?? "";
        info.Environment.Remove("DIGEST_CONFIG");
        info.Environment["NOTIFY_SOCKET"] = socketPath;
        using var parent = Process.Start(info)!;
        var output = parent.StandardOutput.ReadToEndAsync();
        try
        {
            Assert.Contains("READY=1", await ReceiveAsync(notify));
            var worker = int.Parse(File.ReadAllText($"/proc/{parent.Id}/task/{parent.Id}/children").Split(' ', StringSplitOptions.RemoveEmptyEntries).Single());
            Assert.Equal(0, Kill(worker, 15));
            Assert.Contains("STOPPING=1", await ReceiveAsync(notify));
            await parent.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token);
            Assert.Equal(0, parent.ExitCode);
        }
        finally
        {
            if (!parent.HasExited) parent.Kill(entireProcessTree: true);
        }

        var started = Assert.Single((await output).Split('\n'), l => l.Contains("Worker started", StringComparison.Ordinal));
        Assert.StartsWith("<6>", started);
    }

    /// <summary>The next notification; waits for it, with a ceiling for a machine under load.</summary>
    private static async Task<string> ReceiveAsync(Socket socket)
    {
        var buffer = new byte[4096];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var n = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
        return Encoding.UTF8.GetString(buffer, 0, n);
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
