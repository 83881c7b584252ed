using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace OpenDesign.Workflows.Bench;

/// <summary>
/// Target 5. Whole-process time of one `od media generate` (NativeAOT) against curl doing the same POST to the same
/// service: same body, same bearer, a fresh TCP connection each, both exec'd directly by hyperfine (no shell).
/// `dotnet od.dll` (JIT) is measured for contrast.
/// </summary>
internal static class CliScenario
{
    public static async Task<ScenarioReport> RunAsync(BenchContext ctx)
    {
        var report = new ScenarioReport("5. od media generate vs curl (hyperfine)");
        var dir = ctx.NewDir("cli");
        if (!File.Exists(ctx.OdAotPath))
        {
            report.Row("5", "od (NativeAOT) vs curl", "od AOT binary missing: " + ctx.OdAotPath, "<= x1.5", false);
            return report;
        }
        var service = await ServerProcess.StartServiceAsync(ctx, ctx.NewDir("cli-data"), Path.Combine(dir, "service.log"));
        try
        {
            var run = await Api.CreateRequestOnlyRunAsync(service.BaseUri);
            var url = new Uri(service.BaseUri, "/api/tools/media/generate");
            var headers = Path.Combine(dir, "headers.txt");
            await File.WriteAllTextAsync(headers, $"Authorization: Bearer {run.ToolToken}\nContent-Type: application/json\n");
            var body = Path.Combine(dir, "body.json");
            await File.WriteAllTextAsync(body, Api.GenerateBody);

            // The od invocation prompts with a string of the same length as the curl body's prompt.
            const string odArgs = "media generate --surface image --prompt A_launch_poster_for_the_bench";
            var curl = $"curl -sS --fail -o /dev/null -X POST -H @{headers} --data-binary @{body} {url}";
            var odAot = $"{ctx.OdAotPath} {odArgs}";
            var odJit = $"dotnet {ctx.OdDll} {odArgs}";

            // One checked call of each: exit code 0 and a media request on stdout.
            foreach (var (name, cmd) in new[] { ("od (AOT)", odAot), ("dotnet od.dll", odJit) })
            {
                var (code, stdout, stderr) = await Processes.RunAsync(Command(cmd, run.ToolToken, service.BaseUri), TimeSpan.FromSeconds(30));
                if (code != 0 || !stdout.Contains("mreq_", StringComparison.Ordinal))
                {
                    throw new InvalidOperationException($"{name} failed ({code}): {stdout} {stderr}");
                }
                report.Detail($"{name} prints: {stdout.Trim()}");
            }

            var runs = ctx.Quick ? 15 : 40;
            var json = Path.Combine(dir, "hyperfine.json");
            var hf = new ProcessStartInfo("hyperfine");
            foreach (var a in new[] { "-N", "--warmup", "5", "--runs", runs.ToString(CultureInfo.InvariantCulture), "--export-json", json, "--style", "basic",
                         "-n", "curl", curl, "-n", "od (NativeAOT)", odAot, "-n", "dotnet od.dll", odJit })
            {
                hf.ArgumentList.Add(a);
            }
            hf.Environment["OD_TOOL_TOKEN"] = run.ToolToken;
            hf.Environment["OD_DAEMON_URL"] = service.BaseUri.ToString().TrimEnd('/');
            var (hcode, hout, herr) = await Processes.RunAsync(hf, TimeSpan.FromMinutes(5));
            await File.WriteAllTextAsync(Path.Combine(dir, "hyperfine.txt"), hout + herr);
            if (hcode != 0) throw new InvalidOperationException($"hyperfine failed ({hcode}): {hout}\n{herr}");

            using var doc = JsonDocument.Parse(await File.ReadAllTextAsync(json));
            var results = doc.RootElement.GetProperty("results").EnumerateArray()
                .ToDictionary(r => r.GetProperty("command").GetString()!, r => (
                    Mean: r.GetProperty("mean").GetDouble() * 1000,
                    Median: r.GetProperty("median").GetDouble() * 1000,
                    Stddev: r.GetProperty("stddev").GetDouble() * 1000,
                    Min: r.GetProperty("min").GetDouble() * 1000));
            foreach (var (name, r) in results)
            {
                report.Detail($"{name,-16} mean {r.Mean:0.0} ms ± {r.Stddev:0.0}, median {r.Median:0.0} ms, min {r.Min:0.0} ms ({runs} runs)");
            }
            var c = results["curl"];
            var aot = results["od (NativeAOT)"];
            var jit = results["dotnet od.dll"];
            var ratio = aot.Mean / c.Mean;
            report.Row("5", "od media generate (NativeAOT) whole process vs curl, same POST",
                $"{aot.Mean:0.0} vs {c.Mean:0.0} ms = x{ratio:0.00} (dotnet od.dll: {jit.Mean:0.0} ms = x{jit.Mean / c.Mean:0.0})", "<= x1.5", ratio <= 1.5);
        }
        finally
        {
            await service.StopAsync();
        }
        return report;
    }

    private static ProcessStartInfo Command(string commandLine, string token, Uri baseUri)
    {
        var parts = commandLine.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var info = new ProcessStartInfo(parts[0]);
        foreach (var p in parts.Skip(1)) info.ArgumentList.Add(p);
        info.Environment["OD_TOOL_TOKEN"] = token;
        info.Environment["OD_DAEMON_URL"] = baseUri.ToString().TrimEnd('/');
        return info;
    }
}
