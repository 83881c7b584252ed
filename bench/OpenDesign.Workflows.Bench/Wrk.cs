using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace OpenDesign.Workflows.Bench;

internal sealed record WrkResult(long Requests, double Seconds, long Non2xx, long SocketErrors, double P50Ms, double P90Ms, double P99Ms, double MaxMs, double MeanMs)
{
    public double Ok => Requests - Non2xx;
    public double Rps => Ok / Seconds;
}

/// <summary>wrk (from apt) with a Lua script for the POST body and the Authorization header; its done() prints one machine-readable line.</summary>
internal static partial class Wrk
{
    public static string WriteScript(string dir, string name, string? token)
    {
        var auth = token is null ? "" : $"wrk.headers[\"Authorization\"] = \"Bearer {token}\"\n";
        var script = $$"""
            wrk.method = "POST"
            wrk.body = [[{{Api.GenerateBody}}]]
            wrk.headers["Content-Type"] = "application/json"
            {{auth}}
            function done(summary, latency, requests)
              local e = summary.errors
              io.write(string.format("BENCH requests=%d duration_us=%d non2xx=%d connect=%d read=%d write=%d timeout=%d p50=%d p90=%d p99=%d max=%d mean=%d\n",
                summary.requests, summary.duration, e.status, e.connect, e.read, e.write, e.timeout,
                latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
            end
            """;
        var path = Path.Combine(dir, name + ".lua");
        File.WriteAllText(path, script);
        return path;
    }

    /// <summary>One wrk thread per core the harness may use: one when bench/run pins it, so its threads never take turns.</summary>
    public static async Task<WrkResult> RunAsync(Uri url, string script, int connections, TimeSpan duration)
    {
        var threads = Math.Clamp(Environment.ProcessorCount, 1, 2);
        var info = new ProcessStartInfo("wrk");
        foreach (var a in new[]
                 {
                     "-t", Math.Min(threads, connections).ToString(CultureInfo.InvariantCulture),
                     "-c", connections.ToString(CultureInfo.InvariantCulture),
                     "-d", $"{(int)duration.TotalSeconds}s",
                     "--timeout", "10s",
                     "-s", script,
                     url.ToString(),
                 })
        {
            info.ArgumentList.Add(a);
        }
        var (code, stdout, stderr) = await Processes.RunAsync(info, duration + TimeSpan.FromSeconds(30));
        var match = Line().Match(stdout);
        if (code != 0 || !match.Success) throw new InvalidOperationException($"wrk failed ({code}): {stdout}\n{stderr}");
        long G(string name) => long.Parse(match.Groups[name].Value, CultureInfo.InvariantCulture);
        return new WrkResult(
            G("requests"), G("duration") / 1e6, G("non2xx"), G("connect") + G("read") + G("write") + G("timeout"),
            G("p50") / 1000.0, G("p90") / 1000.0, G("p99") / 1000.0, G("max") / 1000.0, G("mean") / 1000.0);
    }

    [GeneratedRegex(@"BENCH requests=(?<requests>\d+) duration_us=(?<duration>\d+) non2xx=(?<non2xx>\d+) connect=(?<connect>\d+) read=(?<read>\d+) write=(?<write>\d+) timeout=(?<timeout>\d+) p50=(?<p50>\d+) p90=(?<p90>\d+) p99=(?<p99>\d+) max=(?<max>\d+) mean=(?<mean>\d+)")]
    private static partial Regex Line();
}
