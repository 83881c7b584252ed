using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using OpenDesign.Workflows.Contracts;

namespace OpenDesign.Workflows.Cli.Tests.Enabled;

/// <summary>
/// What enabled mode costs beyond the provider's own time: OpenAI (WireMock) answers at once, so a task's
/// <c>startedAt</c>→<c>endedAt</c> is the workflow, its activities, the staging and the commit. The numbers go to the
/// test output (and to the file named by <c>OD_MEASURE_OUT</c>, when set); docs/performance.md quotes them.
/// </summary>
[Collection(EnabledServiceCollection.Name)]
public sealed class EnabledOverheadTests(EnabledServiceFixture fixture, ITestOutputHelper output)
{
    private const int Tasks = 20;
    private const int OdRuns = 3;

    [Fact]
    public async Task Image_tasks_answered_at_once_by_the_provider_all_end_done_with_their_bytes_and_the_overhead_is_reported()
    {
        var (project, run) = await fixture.CreateRunAsync("overhead");
        var taskMs = new List<long>();
        for (var i = 0; i < Tasks; i++)
        {
            var prompt = $"overhead {i}: a frame";
            var png = Media.Png("overhead" + i);
            fixture.OpenAi.Image(prompt, png);
            var name = $"frame-{i:00}.png";
            var accepted = await ServiceCalls.ReadAsync(
                await ServiceCalls.PostAsync(fixture.Http, ApiRoutes.Tools.MediaGenerate, $$"""{"surface":"image","prompt":"{{prompt}}","output":"{{name}}"}""", run.ToolToken),
                HttpStatusCode.Accepted, OdJsonContext.Default.MediaTaskAccepted);
            var snapshot = await UntilTerminalAsync(accepted.TaskId, run.ToolToken);
            Assert.True(snapshot.Status == MediaTaskStatuses.Done, JsonSerializer.Serialize(snapshot, OdJsonContext.Default.MediaTaskSnapshot));
            Assert.Equal((name, Media.Sha256(png)), (snapshot.File!.Name, snapshot.File.Sha256));
            Assert.Equal(png, File.ReadAllBytes(Path.Combine(project.Dir, name)));
            taskMs.Add(snapshot.EndedAt!.Value - snapshot.StartedAt);
        }

        var odMs = new List<long>();
        for (var i = 0; i < OdRuns; i++)
        {
            var prompt = $"overhead od {i}: a poster";
            fixture.OpenAi.Image(prompt, Media.Png("overhead-od" + i));
            var clock = Stopwatch.StartNew();
            var result = await fixture.OdAsync(run, "media", "generate", "--surface", "image", "--prompt", prompt, "--output", $"poster-{i}.png");
            odMs.Add(clock.ElapsedMilliseconds);
            Assert.True(result.ExitCode == 0, result.ToString());
        }

        var report = string.Create(CultureInfo.InvariantCulture,
            $"enabled-mode image task startedAt->endedAt over {Tasks} tasks (provider answering at once): median {Percentile(taskMs, 50)} ms, p95 {Percentile(taskMs, 95)} ms, max {taskMs.Max()} ms; od media generate end to end over {OdRuns} runs: median {Percentile(odMs, 50)} ms, max {odMs.Max()} ms");
        output.WriteLine(report);
        if (Environment.GetEnvironmentVariable("OD_MEASURE_OUT") is { Length: > 0 } file) File.AppendAllText(file, report + "\n");
    }

    private async Task<MediaTaskSnapshot> UntilTerminalAsync(string taskId, string token)
    {
        var since = 0;
        for (var call = 0; call < 20; call++)
        {
            var snapshot = await ServiceCalls.ReadAsync(
                await ServiceCalls.PostAsync(fixture.Http, ApiRoutes.MediaTasks.WaitPath(taskId), $$"""{"since":{{since}},"timeoutMs":25000}""", token),
                HttpStatusCode.OK, OdJsonContext.Default.MediaTaskSnapshot);
            if (MediaTaskStatuses.IsTerminal(snapshot.Status)) return snapshot;
            since = snapshot.NextSince;
        }
        throw new TimeoutException($"task {taskId} never ended");
    }

    /// <summary>Nearest-rank percentile.</summary>
    private static long Percentile(List<long> values, int percent)
    {
        var sorted = values.Order().ToList();
        return sorted[Math.Max(0, (int)Math.Ceiling(percent / 100.0 * sorted.Count) - 1)];
    }
}
