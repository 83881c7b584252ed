using System.Text.Json;
using OpenDesign.Workflows.Contracts;
using OpenDesign.Workflows.Domain.Events;
using OpenDesign.Workflows.Domain.Storage;

namespace OpenDesign.Workflows.Domain.Runs;

/// <summary>
/// What the service records about a run's agent process: its start, its output, and (through
/// <see cref="RunService.EndAsync"/>) its exit. Each is a unit of the single writer, ordered with the run's end, so
/// nothing about the agent is stored after the run's <c>end</c> event.
/// </summary>
public sealed class RunAgents(SqliteWriter writer, RunStore runs, RunService service, EventStore events, TimeProvider clock)
{
    /// <summary>
    /// Records the started process and its <c>start</c> event; false (nothing stored) when the run ended meanwhile,
    /// and the caller must stop the process it just started.
    /// </summary>
    public Task<bool> StartedAsync(AgentStartPayload start) => writer.ExecuteAsync(ctx =>
    {
        if (RunStore.StatusOf(ctx, start.RunId) != RunStatuses.Running) return false;
        runs.SetAgent(ctx, start.RunId, AgentStates.Running, start.Pid, null, null, clock.GetUtcNow(), null);
        events.Append(ctx, start.RunId, AgentStartPayload.EventName, JsonSerializer.Serialize(start, OdJsonContext.Default.AgentStartPayload));
        return true;
    });

    /// <summary>
    /// Appends a batch of output events (name and JSON data) in one unit; none when the run has ended, so a line the
    /// process wrote while it was being stopped never follows <c>end</c>. Returns how many were stored.
    /// </summary>
    public Task<int> AppendOutputAsync(string runId, IReadOnlyList<(string Name, string Data)> batch) => writer.ExecuteAsync(ctx =>
    {
        if (RunStore.StatusOf(ctx, runId) != RunStatuses.Running) return 0;
        foreach (var (name, data) in batch) events.Append(ctx, runId, name, data);
        return batch.Count;
    });

    /// <summary>
    /// After a restart: every run still running whose agent was queued or running ends <c>failed</c> with
    /// <paramref name="reason"/>, since its process (if any) was the previous service's and cannot be re-attached.
    /// </summary>
    public async Task<IReadOnlyList<RunEnded>> FailOrphansAsync(string reason)
    {
        var orphans = await writer.ExecuteAsync(RunStore.WithLiveAgent);
        var ended = new List<RunEnded>();
        foreach (var (runId, _, pid) in orphans)
        {
            var why = pid is { } p ? $"{reason} (its agent process was pid {p})" : reason;
            ended.Add(await service.EndAsync(runId, RunStatuses.Failed, new AgentExit(null, why)));
        }
        return ended;
    }
}
