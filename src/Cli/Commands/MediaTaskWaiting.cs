using System.Diagnostics;
using System.Text;
using System.Text.Json;
using OpenDesign.Workflows.Cli.Http;
using OpenDesign.Workflows.Contracts;

namespace OpenDesign.Workflows.Cli.Commands;

/// <summary>
/// Open Design's task follow-up, shared by <c>od media generate</c> (enabled mode) and <c>od media wait</c>: long-polls
/// the task's wait endpoint (at most 4 s per call) within a budget, prints each progress line to stderr (and to
/// stdout as <c># line</c>), and ends with Open Design's final stdout line.
/// </summary>
internal static class MediaTaskWaiting
{
    public static readonly TimeSpan DefaultBudget = TimeSpan.FromSeconds(25);
    private const int MaxPollMs = 4000;

    /// <summary>How the follow-up ended; the command picks the exit code (still running differs between generate and wait).</summary>
    public enum Outcome
    {
        Done,
        Failed,
        StillRunning,
    }

    public static async Task<Outcome> FollowAsync(CommandContext context, string taskId, int since, TimeSpan budget, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        MediaTaskSnapshot snapshot;
        while (true)
        {
            var left = budget - clock.Elapsed;
            var timeoutMs = (int)Math.Clamp(left.TotalMilliseconds, 0, MaxPollMs);
            var body = Encoding.UTF8.GetBytes($"{{\"since\":{since},\"timeoutMs\":{timeoutMs}}}");
            var result = await context.Service.PostAsync(ApiRoutes.MediaTasks.WaitPath(taskId), ServiceClient.JsonBody(body), OdJsonContext.Default.MediaTaskSnapshot, cancellationToken);
            snapshot = result.Value;
            foreach (var line in snapshot.Progress)
            {
                context.Error.WriteLine(line);
                context.Out.WriteLine("# " + line);
            }
            since = snapshot.NextSince;
            if (MediaTaskStatuses.IsTerminal(snapshot.Status) || clock.Elapsed >= budget) break;
        }

        if (snapshot.Status == MediaTaskStatuses.Done && snapshot.File is { } file)
        {
            context.Out.WriteLine(Line(w =>
            {
                w.WritePropertyName("file");
                JsonSerializer.Serialize(w, file, OdJsonContext.Default.MediaTaskFile);
            }));
            return Outcome.Done;
        }
        if (MediaTaskStatuses.IsTerminal(snapshot.Status))
        {
            context.Out.WriteLine(Line(w =>
            {
                w.WriteString("taskId", snapshot.TaskId);
                w.WriteString("status", snapshot.Status);
                w.WritePropertyName("error");
                JsonSerializer.Serialize(w, snapshot.Error ?? new MediaTaskError("the task failed"), OdJsonContext.Default.MediaTaskError);
            }));
            if (snapshot.Error is { } error) context.Note($"media task {snapshot.TaskId} {snapshot.Status}: {error.Message}");
            return Outcome.Failed;
        }
        context.Out.WriteLine(Line(w =>
        {
            w.WriteString("taskId", snapshot.TaskId);
            w.WriteString("status", snapshot.Status);
            w.WriteNumber("nextSince", snapshot.NextSince);
            w.WriteNumber("elapsed", Math.Round(clock.Elapsed.TotalSeconds, 1));
        }));
        context.Note($"media task {snapshot.TaskId} is still {snapshot.Status}; continue with: od media wait {snapshot.TaskId} --since {snapshot.NextSince}");
        return Outcome.StillRunning;
    }

    private static string Line(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            write(writer);
            writer.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
