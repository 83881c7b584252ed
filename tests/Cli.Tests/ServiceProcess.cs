using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Reflection;

namespace OpenDesign.Workflows.Cli.Tests;

/// <summary>The real service as its own process on a free loopback port, over a data directory the test owns.</summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    private static readonly string ApiDll = typeof(ServiceProcess).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "ApiDll").Value!;

    private readonly Process _process;
    private IReadOnlyDictionary<string, string>? _environment;
    private ConcurrentQueue<string> _log = new();

    private ServiceProcess(Process process, string url, string dataDir)
    {
        _process = process;
        Url = url;
        DataDir = dataDir;
    }

    /// <summary>
    /// Every line the service wrote to stdout or stderr so far, across restarts of this data directory (a restart
    /// carries the earlier processes' lines on), for tests that search the whole log.
    /// </summary>
    public string Log => string.Join('\n', _log);

    public string Url { get; }

    public string DataDir { get; }

    /// <summary>The service's resident memory now (VmRSS of /proc/&lt;pid&gt;/status), in bytes.</summary>
    public long ResidentBytes()
    {
        var line = File.ReadLines($"/proc/{_process.Id}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) * 1024;
    }

    /// <param name="environment">Extra environment variables for the service (settings such as OD_API_TOKEN; configuration keys use <c>__</c> for <c>:</c>).</param>
    /// <param name="prepare">Runs on the data directory before the service starts (to leave files a previous run left).</param>
    public static async Task<ServiceProcess> StartAsync(IReadOnlyDictionary<string, string>? environment = null, Action<string>? prepare = null)
    {
        var dataDir = NewDataDir();
        if (prepare is not null)
        {
            Directory.CreateDirectory(dataDir);
            prepare(dataDir);
        }
        return await LaunchAsync(FakeService.DeadUrl(), dataDir, environment, new ConcurrentQueue<string>());
    }

    /// <summary>A fresh data directory path under the temp folder (not created).</summary>
    public static string NewDataDir() => Path.Combine(Path.GetTempPath(), "od-cli-e2e-" + Guid.NewGuid().ToString("N"));

    /// <summary>
    /// SIGKILL (Process.Kill on Linux), only the service's own process: no shutdown code runs, as in a crash or an OOM
    /// kill. The data directory stays for <see cref="RestartAsync"/>.
    /// </summary>
    public async Task KillAsync()
    {
        Kill();
        await _process.WaitForExitAsync();
    }

    /// <summary>
    /// SIGTERM, as a service manager stops the service: its shutdown code runs. Waits (bounded) for it to exit; the data
    /// directory stays for <see cref="RestartAsync"/>. Returns the exit code.
    /// </summary>
    public async Task<int> TerminateAsync()
    {
        // The shell's kill builtin: .NET has no API that sends a signal to another process.
        using (var kill = Process.Start(new ProcessStartInfo("/bin/sh") { ArgumentList = { "-c", "kill -TERM " + _process.Id }, UseShellExecute = false })!)
        {
            await kill.WaitForExitAsync();
            if (kill.ExitCode != 0) throw new InvalidOperationException($"kill -TERM {_process.Id} exited {kill.ExitCode}");
        }
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await _process.WaitForExitAsync(limit.Token);
        return _process.ExitCode;
    }

    /// <summary>The SIGKILL of <see cref="KillAsync"/> without waiting, for a caller that must kill the instant it decides to.</summary>
    public void Kill()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: false);
    }

    /// <summary>A new service process on the same data directory and address; this one must have exited.</summary>
    public async Task<ServiceProcess> RestartAsync(IReadOnlyDictionary<string, string>? environment = null)
    {
        if (!_process.HasExited) throw new InvalidOperationException("the service is still running");
        _process.Dispose();
        return await LaunchAsync(Url, DataDir, environment ?? _environment, _log);
    }

    /// <summary>Runs the service on <paramref name="dataDir"/> expecting it to refuse to start: its exit code and stderr lines.</summary>
    public static async Task<(int ExitCode, IReadOnlyList<string> Stderr)> RunRefusedAsync(string dataDir)
    {
        using var process = Process.Start(StartInfo(FakeService.DeadUrl(), dataDir, null))!;
        var stderr = process.StandardError.ReadToEndAsync();
        _ = process.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        finally
        {
            if (!process.HasExited) process.Kill();
        }
        return (process.ExitCode, (await stderr).Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    private static ProcessStartInfo StartInfo(string url, string dataDir, IReadOnlyDictionary<string, string>? environment)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(ApiDll);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add(url);
        start.Environment["OD_DATA_DIR"] = dataDir;
        // No Temporal in these tests: the service must not try to download or launch one.
        start.Environment["Temporal__Embedded"] = "false";
        start.Environment.Remove("OD_API_TOKEN");
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) start.Environment[key] = value;
        return start;
    }

    private static async Task<ServiceProcess> LaunchAsync(string url, string dataDir, IReadOnlyDictionary<string, string>? environment, ConcurrentQueue<string> log)
    {
        var process = Process.Start(StartInfo(url, dataDir, environment))!;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) log.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) log.Enqueue(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var service = new ServiceProcess(process, url, dataDir) { _environment = environment, _log = log };
        using var http = new HttpClient();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            try
            {
                using var live = await http.GetAsync($"{url}/health/live");
                if (live.StatusCode == HttpStatusCode.OK) return service;
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            if (process.HasExited || DateTime.UtcNow > deadline)
            {
                await service.DisposeAsync();
                throw new InvalidOperationException($"the service did not start at {url}");
            }
            await Task.Delay(100);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        try
        {
            Directory.Delete(DataDir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
