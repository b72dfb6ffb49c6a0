using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace Digest.Tests.Support;

/// <summary>
/// The real `digest` executable in a child process, configured like the workspace through environment
/// variables, so tests can kill it, signal it and run two of them on one store.
/// </summary>
public sealed class ChildWorker : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private ChildWorker(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_output) _output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_output) _output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public static ChildWorker Start(TestWorkspace ws, params string[] args) => StartWithUmask(ws, null, args);

    /// <param name="umask">Set: the process runs with this umask (e.g. "000"), as a careless service manager might start it.</param>
    public static ChildWorker StartWithUmask(TestWorkspace ws, string? umask, params string[] args)
    {
        var info = new ProcessStartInfo(umask is null ? "dotnet" : "/bin/sh")
        {
            WorkingDirectory = ws.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (umask is not null)
            foreach (var a in new[] { "-c", $"umask {umask} && exec dotnet \"$@\"", "sh" }) info.ArgumentList.Add(a);
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "digest.dll"));
        foreach (var a in args) info.ArgumentList.Add(a);
        foreach (var (key, value) in ws.Settings) info.Environment[key.Replace(":", "__")] = value ?? "";
        info.Environment.Remove("DIGEST_CONFIG");
        return new ChildWorker(Process.Start(info)!);
    }

    public int Id => _process.Id;
    public bool HasExited => _process.HasExited;

    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    /// <summary>SIGKILL: no cleanup at all, as in a power loss or `docker kill`.</summary>
    public void Kill() => _process.Kill(entireProcessTree: true);

    /// <summary>SIGTERM, as `docker stop` sends.</summary>
    public void Terminate() => _ = SysKill(_process.Id, 15);

    /// <summary>SIGSTOP: the process is frozen where it is, as a paused container or a suspended VM is.</summary>
    public void Pause() => _ = SysKill(_process.Id, 19);

    /// <summary>SIGCONT: the frozen process carries on from where it was.</summary>
    public void Resume() => _ = SysKill(_process.Id, 18);

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        _process.WaitForExit();
        return _process.ExitCode;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            Resume();
            _process.Kill(entireProcessTree: true);
        }
        _process.Dispose();
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SysKill(int pid, int signal);
}
