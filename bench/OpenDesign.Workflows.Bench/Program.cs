using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using OpenDesign.Workflows.Bench;

// Usage: OpenDesign.Workflows.Bench --repo <root> --od-aot <path> [--quick] [--only 1,3] [--out <file.md>] [--work <dir>] [--keep-data]
// bench/run builds everything and calls this; see bench/README.md.
var quick = args.Contains("--quick");
string? Arg(string name)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}
var repo = Path.GetFullPath(Arg("--repo") ?? Directory.GetCurrentDirectory());
var only = Arg("--only")?.Split(',', StringSplitOptions.RemoveEmptyEntries).ToHashSet() ?? ["1", "2", "3", "4", "5"];
var work = Arg("--work") ?? Path.Combine(Path.GetTempPath(), $"od-bench-{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Environment.ProcessId}");
Directory.CreateDirectory(work);
var ctx = new BenchContext
{
    RepoRoot = repo,
    WorkDir = work,
    Quick = quick,
    OdAotPath = Arg("--od-aot") ?? Path.Combine(repo, "bench/bin/od-aot/od"),
    ServerCpu = Arg("--server-cpu") is { } cpu ? int.Parse(cpu, CultureInfo.InvariantCulture) : null,
};

// Whatever happens (an exception, Ctrl+C, SIGTERM from bench/run, the overall deadline), no process outlives the bench.
AppDomain.CurrentDomain.ProcessExit += (_, _) => Processes.KillAll();
using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, _ => Processes.KillAll());
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, _ => Processes.KillAll());
var deadline = TimeSpan.FromMinutes(quick ? 8 : 20);
using var watchdog = new Timer(_ =>
{
    Console.Error.WriteLine($"bench: overall deadline of {deadline.TotalMinutes:0} min passed; stopping everything");
    Processes.KillAll();
    Environment.Exit(3);
}, null, deadline, Timeout.InfiniteTimeSpan);

Log.Info($"{(quick ? "quick" : "full")} run; work dir {work}");
Log.Info(ctx.ServerCpu is { } serverCpu
    ? $"pinned: servers on core {serverCpu}, this harness and every load generator it starts on the other core(s)"
    : "not pinned: servers and load generators share every core");
Log.Info($"machine: {CoreCount()} cores, {GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024.0 * 1024 * 1024):0} GiB, {RuntimeInformation.OSDescription}, .NET {Environment.Version}");

var scenarios = new (string Id, string Title, Func<BenchContext, Task<ScenarioReport>> Run)[]
{
    ("1", "1. POST /api/tools/media/generate throughput and latency (wrk)", ThroughputScenario.RunAsync),
    ("2", "2. No acknowledged request lost on kill -9 (HttpClient load generator)", KillScenario.RunAsync),
    ("3", "3. SSE fan-out to 1,000 subscribers of one run", SseScenario.RunAsync),
    ("4", "4. Listing a run's media requests, 1k to 1M stored", ListingScenario.RunAsync),
    ("5", "5. od media generate vs curl (hyperfine)", CliScenario.RunAsync),
};

var total = Stopwatch.StartNew();
var reports = new List<ScenarioReport>();
foreach (var (id, title, runScenario) in scenarios.Where(s => only.Contains(s.Id)))
{
    var load = LoadAverage();
    var quiet = MachineQuiet.Measure();
    Log.Info($"== {title} ({quiet}; load average {load})");
    var clock = Stopwatch.StartNew();
    ScenarioReport report;
    try
    {
        report = await runScenario(ctx);
    }
    catch (Exception e)
    {
        report = new ScenarioReport(title);
        report.Row(id, title, "scenario failed: " + e.Message.Split('\n')[0], "-", false);
        report.Detail(e.ToString());
    }
    finally
    {
        Processes.KillAll();
    }
    report.Elapsed = clock.Elapsed;
    report.LoadAtStart = load;
    report.QuietAtStart = quiet;
    reports.Add(report);
}
total.Stop();

var rows = reports.SelectMany(r => r.Rows).ToList();
var table = new StringBuilder();
table.AppendLine("| # | target | measured | goal | result |");
table.AppendLine("|---|---|---|---|---|");
foreach (var r in rows)
{
    table.AppendLine(CultureInfo.InvariantCulture, $"| {r.Id} | {r.What} | {r.Measured} | {r.Target} | {(r.Pass switch { true => "PASS", false => "FAIL", null => "-" })} |");
}

var md = new StringBuilder();
md.AppendLine(CultureInfo.InvariantCulture, $"# Bench results {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC ({(quick ? "quick" : "full")} run)");
md.AppendLine();
md.AppendLine(CultureInfo.InvariantCulture, $"Machine: {CoreCount()} cores, {GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024.0 * 1024 * 1024):0} GiB RAM, {RuntimeInformation.OSDescription}, .NET {Environment.Version}. ");
md.AppendLine(CultureInfo.InvariantCulture, $"Commit: {GitHead(repo)}. Load generators: wrk (target 1), HttpClient with one SocketsHttpHandler connection per virtual user (targets 2, 3, 4), hyperfine (target 5). {(ctx.ServerCpu is { } pinnedCpu ? $"Pinned: every server on core {pinnedCpu} (taskset), the harness and every load generator on the other core." : "Not pinned: load generators and servers share every core.")}");
var busy = reports.Where(r => r.QuietAtStart.Noisy).ToList();
if (busy.Count > 0)
{
    md.AppendLine();
    md.AppendLine(CultureInfo.InvariantCulture, $"**Noisy machine:** before {busy.Count} of {reports.Count} scenarios, other processes used more than 0.2 cores or the hypervisor took more than 5 % (steal) while the bench was idle, so throughput and latency numbers are pessimistic. Re-run on an idle machine before judging a FAIL.");
}
md.AppendLine();
md.Append(table);
md.AppendLine();
md.AppendLine(CultureInfo.InvariantCulture, $"Total bench time: {total.Elapsed.TotalMinutes:0.0} min.");
foreach (var r in reports)
{
    md.AppendLine();
    md.AppendLine(CultureInfo.InvariantCulture, $"## {r.Title} ({r.Elapsed.TotalSeconds:0} s)");
    md.AppendLine();
    md.AppendLine(CultureInfo.InvariantCulture, $"Before it started: {r.QuietAtStart}; load average (1/5/15 min) {r.LoadAtStart}, the bench's own earlier scenarios included.");
    md.AppendLine();
    foreach (var d in r.Details) md.AppendLine(CultureInfo.InvariantCulture, $"- {d.Replace("\n", "\n  ", StringComparison.Ordinal)}");
}

Console.WriteLine();
Console.WriteLine(table.ToString());
foreach (var r in reports) Console.WriteLine($"before \"{r.Title}\": {r.QuietAtStart}; load average {r.LoadAtStart} ({CoreCount()} cores)");
Console.WriteLine($"{rows.Count(r => r.Pass == true)} PASS, {rows.Count(r => r.Pass == false)} FAIL; bench took {total.Elapsed.TotalMinutes:0.0} min; logs in {work}");

// The data directories (up to 1.2 GB for the listing scenario) go; the logs stay.
if (!args.Contains("--keep-data"))
{
    foreach (var dataDir in Directory.EnumerateDirectories(work, "*-data"))
    {
        try
        {
            Directory.Delete(dataDir, recursive: true);
        }
        catch (IOException e)
        {
            Console.Error.WriteLine($"bench: could not delete {dataDir}: {e.Message}");
        }
    }
}

var output = Arg("--out");
if (output is not null)
{
    Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
    await File.WriteAllTextAsync(output, md.ToString());
    Console.WriteLine($"results written to {output}");
}
return rows.All(r => r.Pass != false) ? 0 : 1;

// The machine's cores, not this process's: bench/run pins the harness to one of them.
static int CoreCount()
{
    try
    {
        return File.ReadAllLines("/proc/cpuinfo").Count(l => l.StartsWith("processor", StringComparison.Ordinal));
    }
    catch (IOException)
    {
        return Environment.ProcessorCount;
    }
}

static string LoadAverage()
{
    try
    {
        var parts = File.ReadAllText("/proc/loadavg").Split(' ');
        return $"{parts[0]} {parts[1]} {parts[2]}";
    }
    catch (IOException)
    {
        return "unknown";
    }
}

static string GitHead(string repo)
{
    try
    {
        var info = new ProcessStartInfo("git") { WorkingDirectory = repo, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "rev-parse", "--short", "HEAD" }) info.ArgumentList.Add(a);
        using var p = Process.Start(info)!;
        var head = p.StandardOutput.ReadToEnd().Trim();
        p.WaitForExit(5000);
        info.ArgumentList.Clear();
        foreach (var a in new[] { "status", "--porcelain", "--", "src" }) info.ArgumentList.Add(a);
        using var s = Process.Start(info)!;
        var dirty = s.StandardOutput.ReadToEnd().Trim().Length > 0;
        s.WaitForExit(5000);
        return head + (dirty ? " with uncommitted changes in src/" : "");
    }
    catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
    {
        return "unknown";
    }
}
