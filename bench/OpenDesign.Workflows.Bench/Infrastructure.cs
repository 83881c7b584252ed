using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using OpenDesign.Workflows.Contracts;

namespace OpenDesign.Workflows.Bench;

/// <summary>Where things are and how long things may take; one instance per bench run.</summary>
internal sealed class BenchContext
{
    public required string RepoRoot { get; init; }
    public required string WorkDir { get; init; }
    public required bool Quick { get; init; }
    public required string OdAotPath { get; init; }

    /// <summary>
    /// The core every server runs on (<c>taskset -c N</c>), or null when unpinned. bench/run pins the harness, and with it
    /// every load generator it starts (wrk, hyperfine, curl, od, its own HttpClients), to core 0 and passes
    /// <c>--server-cpu 1</c>: load and server then never take CPU from each other, and each side's cost is its own.
    /// </summary>
    public int? ServerCpu { get; init; }

    /// <summary>A server's command line: <c>dotnet app.dll</c>, under <c>taskset</c> when servers are pinned.</summary>
    public ProcessStartInfo ServerStart(string dll, string workingDirectory)
    {
        var info = new ProcessStartInfo(ServerCpu is null ? "dotnet" : "taskset") { WorkingDirectory = workingDirectory };
        if (ServerCpu is { } cpu)
        {
            info.ArgumentList.Add("-c");
            info.ArgumentList.Add(cpu.ToString(CultureInfo.InvariantCulture));
            info.ArgumentList.Add("dotnet");
        }
        info.ArgumentList.Add(dll);
        return info;
    }
    public string ServiceDll => Path.Combine(RepoRoot, "src/Api/bin/Release/net10.0/OpenDesign.Workflows.Api.dll");
    public string BaselineDll => Path.Combine(RepoRoot, "bench/Baseline/bin/Release/net10.0/OpenDesign.Workflows.Bench.Baseline.dll");
    public string OdDll => Path.Combine(RepoRoot, "src/Cli/bin/Release/net10.0/od.dll");

    private int _dirs;

    public string NewDir(string name)
    {
        var dir = Path.Combine(WorkDir, $"{Interlocked.Increment(ref _dirs):00}-{name}");
        Directory.CreateDirectory(dir);
        return dir;
    }
}

internal static class Log
{
    private static readonly Stopwatch Clock = Stopwatch.StartNew();

    public static void Info(string message) =>
        Console.Error.WriteLine($"[{Clock.Elapsed.TotalSeconds,6:0.0}s] {message}");
}

/// <summary>Every process the bench starts, so that all of them are killed however the bench ends.</summary>
internal static class Processes
{
    private static readonly List<Process> Started = [];
    private static readonly Lock Gate = new();

    public static Process Start(ProcessStartInfo info, string? logPath = null)
    {
        if (logPath is not null)
        {
            info.RedirectStandardOutput = true;
            info.RedirectStandardError = true;
        }
        info.UseShellExecute = false;
        var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {info.FileName}");
        lock (Gate) Started.Add(process);
        if (logPath is not null)
        {
            var writer = new StreamWriter(logPath, append: true) { AutoFlush = true };
            var writeLock = new Lock();
            void Write(string? line)
            {
                if (line is null) return;
                lock (writeLock) writer.WriteLine(line);
            }
            process.OutputDataReceived += (_, e) => Write(e.Data);
            process.ErrorDataReceived += (_, e) => Write(e.Data);
            process.Exited += (_, _) => { lock (writeLock) writer.Flush(); };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
        }
        return process;
    }

    /// <summary>Runs a command to completion within a deadline; kills it if it overruns.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(ProcessStartInfo info, TimeSpan timeout)
    {
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        var process = Start(info);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            Kill(process);
            throw new TimeoutException($"{info.FileName} {string.Join(' ', info.ArgumentList)} did not finish within {timeout.TotalSeconds:0}s");
        }
        return (process.ExitCode, await stdout, await stderr);
    }

    public static void Kill(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(10_000);
            }
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // Already gone.
        }
    }

    public static void KillAll()
    {
        Process[] all;
        lock (Gate) all = [.. Started];
        foreach (var p in all) Kill(p);
    }
}

/// <summary>A Kestrel process (the service or the baseline) started as `dotnet app.dll --urls http://127.0.0.1:port`.</summary>
internal sealed class ServerProcess
{
    private ServerProcess(Process process, int port, string? dataDir, string log)
    {
        Process = process;
        Port = port;
        DataDir = dataDir;
        LogPath = log;
    }

    public Process Process { get; }
    public int Port { get; }
    public string? DataDir { get; }
    public string LogPath { get; }
    public Uri BaseUri => new($"http://127.0.0.1:{Port}");
    public int Pid => Process.Id;

    /// <summary>CPU time (user + system) the process has used so far: a cost measure that other load on the machine does not inflate much.</summary>
    public TimeSpan CpuTime
    {
        get
        {
            Process.Refresh();
            return Process.TotalProcessorTime;
        }
    }

    public static async Task<ServerProcess> StartServiceAsync(BenchContext ctx, string dataDir, string logPath, int? port = null)
    {
        var p = port ?? FreePort();
        var info = ctx.ServerStart(ctx.ServiceDll, dataDir);
        info.ArgumentList.Add("--urls");
        info.ArgumentList.Add($"http://127.0.0.1:{p}");
        info.Environment["OD_DATA_DIR"] = dataDir;
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        info.Environment.Remove("OD_API_TOKEN");
        // Request-only runs need no workflow engine: without this the service tries to download and start Temporal's
        // dev server at start-up, which reaches beyond loopback and competes for the CPU being measured.
        info.Environment["Temporal__Embedded"] = "false";
        info.Environment.Remove("Temporal__Address");
        var server = new ServerProcess(Processes.Start(info, logPath), p, dataDir, logPath);
        await server.WaitReadyAsync("/api/runs", TimeSpan.FromSeconds(60));
        return server;
    }

    public static async Task<ServerProcess> StartBaselineAsync(BenchContext ctx, string logPath)
    {
        var p = FreePort();
        var info = ctx.ServerStart(ctx.BaselineDll, Path.GetDirectoryName(ctx.BaselineDll)!);
        info.ArgumentList.Add("--urls");
        info.ArgumentList.Add($"http://127.0.0.1:{p}");
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        var server = new ServerProcess(Processes.Start(info, logPath), p, null, logPath);
        await server.WaitReadyAsync("/healthz", TimeSpan.FromSeconds(60));
        return server;
    }

    private async Task WaitReadyAsync(string path, TimeSpan timeout)
    {
        using var client = new HttpClient { BaseAddress = BaseUri, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout)
        {
            if (Process.HasExited)
            {
                throw new InvalidOperationException($"the process exited with {Process.ExitCode} before it was ready; see {LogPath}");
            }
            try
            {
                using var response = await client.GetAsync(path);
                if (response.IsSuccessStatusCode) return;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet.
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"not ready within {timeout.TotalSeconds:0}s; see {LogPath}");
    }

    /// <summary>SIGKILL, literally: no shutdown hooks, no flush, no dispose.</summary>
    public async Task KillNineAsync()
    {
        var info = new ProcessStartInfo("kill");
        info.ArgumentList.Add("-9");
        info.ArgumentList.Add(Pid.ToString(CultureInfo.InvariantCulture));
        var (code, _, err) = await Processes.RunAsync(info, TimeSpan.FromSeconds(10));
        if (code != 0) throw new InvalidOperationException($"kill -9 {Pid} failed: {err}");
        await Process.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token);
    }

    /// <summary>SIGTERM (graceful: the host disposes the writer), then SIGKILL if it lingers.</summary>
    public async Task StopAsync()
    {
        if (Process.HasExited) return;
        var info = new ProcessStartInfo("kill");
        info.ArgumentList.Add("-TERM");
        info.ArgumentList.Add(Pid.ToString(CultureInfo.InvariantCulture));
        await Processes.RunAsync(info, TimeSpan.FromSeconds(10));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        try
        {
            await Process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            Processes.Kill(Process);
        }
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>Admin calls (loopback, no credential) that set a scenario up.</summary>
internal static class Api
{
    public const string GenerateBody = """{"surface":"image","prompt":"A launch poster for the bench"}""";

    public static HttpClient Client(Uri baseUri) => new(new SocketsHttpHandler { PooledConnectionLifetime = Timeout.InfiniteTimeSpan })
    {
        BaseAddress = baseUri,
        Timeout = TimeSpan.FromSeconds(30),
    };

    public static async Task<RunCreated> CreateRequestOnlyRunAsync(Uri baseUri)
    {
        using var client = Client(baseUri);
        using var projectResponse = await client.PostAsync("/api/projects", Json("""{"name":"bench"}"""));
        await EnsureAsync(projectResponse, HttpStatusCode.Created);
        var project = JsonSerializer.Deserialize(await projectResponse.Content.ReadAsStringAsync(), OdJsonContext.Default.Project)!;
        var runBody = $$$"""{"projectId":"{{{project.Id}}}","agentId":"bench","mediaExecution":{"mode":"request-only"}}""";
        using var runResponse = await client.PostAsync("/api/runs", Json(runBody));
        await EnsureAsync(runResponse, HttpStatusCode.Created);
        return JsonSerializer.Deserialize(await runResponse.Content.ReadAsStringAsync(), OdJsonContext.Default.RunCreated)!;
    }

    public static HttpRequestMessage Generate(string token)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/tools/media/generate") { Content = Json(GenerateBody) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return request;
    }

    public static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private static async Task EnsureAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        if (response.StatusCode != expected)
        {
            throw new InvalidOperationException(
                $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
    }
}

internal static class Stats
{
    /// <summary>Nearest-rank percentile of an ascending-sorted array.</summary>
    public static double Percentile(IReadOnlyList<double> sorted, double p)
    {
        if (sorted.Count == 0) return double.NaN;
        var rank = (int)Math.Ceiling(p / 100.0 * sorted.Count);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Count - 1)];
    }

    public static double Ms(long stopwatchTicks) => stopwatchTicks * 1000.0 / Stopwatch.Frequency;

    public static string F(double value, string format = "0.00") => value.ToString(format, CultureInfo.InvariantCulture);
}
