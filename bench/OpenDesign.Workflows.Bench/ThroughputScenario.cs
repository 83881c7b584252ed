using System.Globalization;

namespace OpenDesign.Workflows.Bench;

/// <summary>
/// Target 1. The same wrk, the same body and header, the same connection counts, against two processes started the same
/// way: the bare baseline and the real service in request-only mode (token check, run and policy read, durable insert
/// with synchronous=FULL, event). Rounds alternate baseline/service so drift on the machine hits both alike.
/// </summary>
internal static class ThroughputScenario
{
    public static async Task<ScenarioReport> RunAsync(BenchContext ctx)
    {
        var report = new ScenarioReport("1. POST /api/tools/media/generate throughput and latency (wrk)");
        var dir = ctx.NewDir("throughput");
        var duration = TimeSpan.FromSeconds(ctx.Quick ? 5 : 10);
        var rounds = ctx.Quick ? 1 : 2;

        var baseline = await ServerProcess.StartBaselineAsync(ctx, Path.Combine(dir, "baseline.log"));
        var service = await ServerProcess.StartServiceAsync(ctx, ctx.NewDir("throughput-data"), Path.Combine(dir, "service.log"));
        try
        {
            var run = await Api.CreateRequestOnlyRunAsync(service.BaseUri);
            var serviceScript = Wrk.WriteScript(dir, "service", run.ToolToken);
            var baselineScript = Wrk.WriteScript(dir, "baseline", run.ToolToken);
            var serviceUrl = new Uri(service.BaseUri, "/api/tools/media/generate");
            var baselineUrl = new Uri(baseline.BaseUri, "/api/tools/media/generate");

            report.Detail("warm-up, baseline: " + await WarmUpAsync(baseline, baselineUrl, baselineScript, ctx.Quick));
            report.Detail("warm-up, service: " + await WarmUpAsync(service, serviceUrl, serviceScript, ctx.Quick));

            var baseRuns = new List<WrkResult>();
            var serviceRuns = new List<WrkResult>();
            var baseCpu = new List<double>();
            var serviceCpu = new List<double>();
            for (var i = 0; i < rounds; i++)
            {
                var cpu0 = baseline.CpuTime;
                var b = await Wrk.RunAsync(baselineUrl, baselineScript, 200, duration);
                var bCpu = (baseline.CpuTime - cpu0).TotalMicroseconds / b.Requests;
                report.Detail($"round {i + 1} baseline 200c: {b.Rps:0} req/s, p50 {b.P50Ms:0.00} ms, p99 {b.P99Ms:0.00} ms, non-2xx {b.Non2xx}, socket errors {b.SocketErrors}, {bCpu:0} us CPU/request");
                baseRuns.Add(b);
                baseCpu.Add(bCpu);
                cpu0 = service.CpuTime;
                var s = await Wrk.RunAsync(serviceUrl, serviceScript, 200, duration);
                var sCpu = (service.CpuTime - cpu0).TotalMicroseconds / s.Requests;
                report.Detail($"round {i + 1} service  200c: {s.Rps:0} req/s, p50 {s.P50Ms:0.00} ms, p99 {s.P99Ms:0.00} ms, non-2xx {s.Non2xx}, socket errors {s.SocketErrors}, {sCpu:0} us CPU/request");
                serviceRuns.Add(s);
                serviceCpu.Add(sCpu);
            }
            var baseRps = baseRuns.Average(r => r.Rps);
            var serviceRps = serviceRuns.Average(r => r.Rps);
            var ratio = serviceRps / baseRps;
            report.Detail($"CPU cost per request (server process user+system time / requests; far less sensitive to other load than req/s): service {serviceCpu.Average():0} us vs baseline {baseCpu.Average():0} us = {baseCpu.Average() / serviceCpu.Average():P0} efficiency; {(ctx.ServerCpu is null ? "wrk shares the cores with the server" : "wrk pinned to its own core")}");
            var clean = serviceRuns.All(r => r.Non2xx == 0 && r.SocketErrors == 0);
            report.Row("1a", "generate throughput vs bare minimal-API POST, 200 connections",
                $"{serviceRps:0} vs {baseRps:0} req/s = {ratio:P0}{(clean ? "" : " (with errors!)")}", ">= 40%", ratio >= 0.40 && clean);

            var p99Runs = new List<WrkResult>();
            for (var i = 0; i < rounds; i++)
            {
                var s = await Wrk.RunAsync(serviceUrl, serviceScript, 50, duration);
                report.Detail($"round {i + 1} service   50c: {s.Rps:0} req/s, p50 {s.P50Ms:0.00} ms, p90 {s.P90Ms:0.00} ms, p99 {s.P99Ms:0.00} ms, max {s.MaxMs:0.00} ms, non-2xx {s.Non2xx}");
                p99Runs.Add(s);
            }
            var p99 = p99Runs.Max(r => r.P99Ms);
            var b50 = await Wrk.RunAsync(baselineUrl, baselineScript, 50, duration);
            report.Detail($"baseline 50c for contrast: {b50.Rps:0} req/s, p50 {b50.P50Ms:0.00} ms, p99 {b50.P99Ms:0.00} ms");
            report.Row("1b", "generate p99 latency at 50 connections (worst round)",
                $"{p99:0.00} ms (p50 {p99Runs.Average(r => r.P50Ms):0.00} ms, {p99Runs.Average(r => r.Rps):0} req/s)", "< 10 ms",
                p99 < 10 && p99Runs.All(r => r.Non2xx == 0 && r.SocketErrors == 0));
        }
        finally
        {
            await service.StopAsync();
            await baseline.StopAsync();
        }
        return report;
    }

    /// <summary>
    /// Load until the server's CPU per request has settled (tiered compilation done, pools grown), so that rounds compare
    /// steady states: 5 s windows at 200 connections until two in a row agree within 10 %, at least three (two quick),
    /// at most eight (six quick). Returns the windows' CPU per request, for the report.
    /// </summary>
    private static async Task<string> WarmUpAsync(ServerProcess server, Uri url, string script, bool quick)
    {
        var (min, max) = quick ? (2, 6) : (3, 8);
        var costs = new List<double>();
        bool Settled() => costs.Count >= min && Math.Abs(costs[^1] - costs[^2]) <= 0.10 * costs[^2];
        while (costs.Count < max && !Settled())
        {
            var cpu0 = server.CpuTime;
            var result = await Wrk.RunAsync(url, script, 200, TimeSpan.FromSeconds(5));
            costs.Add((server.CpuTime - cpu0).TotalMicroseconds / Math.Max(1, result.Requests));
        }
        var settled = Settled();
        Log.Info($"warm-up of {url.Port}: {string.Join(", ", costs.Select(c => c.ToString("0", CultureInfo.InvariantCulture)))} us CPU/request");
        return $"{costs.Count} windows of 5 s at 200 connections, CPU per request {string.Join(" -> ", costs.Select(c => c.ToString("0", CultureInfo.InvariantCulture) + " us"))}" +
               (settled ? "" : " (not settled within the limit)");
    }
}
