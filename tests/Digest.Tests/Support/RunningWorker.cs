using System.Net;
using System.Net.Sockets;
using Digest.Worker.Cli;

namespace Digest.Tests.Support;

/// <summary>
/// `digest run` started in-process with its unsubscribe listener on a free loopback port, and a real
/// HttpClient pointed at it. The mailed links point at the listener too, so a test can follow them as a
/// reader's mail client would.
/// </summary>
public sealed class RunningWorker : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly StringWriter _output = new();
    private readonly Task<int> _worker;

    public HttpClient Http { get; }
    public string BaseAddress { get; }

    /// <summary>Points the workspace's unsubscribe links at <paramref name="path"/> on a free port; call before the first send.</summary>
    public static string Configure(TestWorkspace ws, string path = "/unsubscribe")
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        var address = $"http://127.0.0.1:{port}";
        ws.Settings["Digest:Http:Urls"] = address;
        ws.Settings["Digest:Unsubscribe:BaseUrl"] = address + path;
        // Far in the future: the schedule must not send while the test does.
        ws.Settings["Digest:Schedule:Cron"] = "0 0 9 1 1 ? 2099";
        return address;
    }

    private RunningWorker(TestWorkspace ws)
    {
        BaseAddress = ws.Settings["Digest:Http:Urls"]!;
        Http = new HttpClient { BaseAddress = new Uri(BaseAddress), Timeout = TimeSpan.FromSeconds(10) };
        _worker = DigestCli.RunAsync(["run"], _output, _output, ws.Settings, _stop.Token);
    }

    public static async Task<RunningWorker> StartAsync(TestWorkspace ws)
    {
        var worker = new RunningWorker(ws);
        // A ceiling, not a wait: on a loaded machine start-up (templates, JIT) can take many seconds.
        var deadline = DateTime.UtcNow.AddSeconds(60);
        var answer = "no answer";
        while (DateTime.UtcNow < deadline && !worker._worker.IsCompleted)
        {
            try
            {
                var response = await worker.Http.GetAsync("/healthz");
                if (response.StatusCode == HttpStatusCode.OK) return worker;
                answer = $"/healthz answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}";
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            await Task.Delay(100);
        }
        var exit = worker._worker.IsCompleted ? $" (the worker ended: {(worker._worker.IsFaulted ? worker._worker.Exception : worker._worker.Result)})" : "";
        throw new InvalidOperationException($"The worker's listener did not come up{exit}; {answer}: {worker._output}");
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        Assert.Equal(0, await _worker.WaitAsync(TimeSpan.FromSeconds(15)));
        Http.Dispose();
        _stop.Dispose();
    }
}

/// <summary>
/// Test classes that host `digest run` in-process. Quartz keeps its schedulers in a process-wide repository
/// by name, so two workers in one test process would stop each other's scheduler; these classes run one at a time.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class InProcessWorkers
{
    public const string Name = "in-process workers";
}
