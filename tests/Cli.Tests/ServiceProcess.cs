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

    private ServiceProcess(Process process, string url, string dataDir)
    {
        _process = process;
        Url = url;
        DataDir = dataDir;
    }

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
        var dataDir = Path.Combine(Path.GetTempPath(), "od-cli-e2e-" + Guid.NewGuid().ToString("N"));
        if (prepare is not null)
        {
            Directory.CreateDirectory(dataDir);
            prepare(dataDir);
        }
        var url = FakeService.DeadUrl();
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(ApiDll);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add(url);
        start.Environment["OD_DATA_DIR"] = dataDir;
        // No Temporal in these tests: the service must not try to download or launch one.
        start.Environment["Temporal__Embedded"] = "false";
        start.Environment.Remove("OD_API_TOKEN");
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) start.Environment[key] = value;
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var service = new ServiceProcess(process, url, dataDir);
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
