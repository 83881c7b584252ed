using System.Text.Json;
using OpenDesign.Workflows.Contracts;
using OpenDesign.Workflows.Domain.Events;
using OpenDesign.Workflows.Domain.MediaRequests;
using OpenDesign.Workflows.Domain.MediaTasks;
using OpenDesign.Workflows.Domain.Storage;
using OpenDesign.Workflows.Domain.Tokens;

namespace OpenDesign.Workflows.Domain.Runs;

public sealed class RunService(SqliteWriter writer, RunStore runs, ToolTokens tokens, MediaRequestTransitions transitions, EventStore events, TimeProvider clock)
{
    public Task<RunCreated> CreateAsync(string projectId, string? agentId, string? message, string? conversationId, MediaExecutionPolicy policy) =>
        writer.ExecuteAsync(ctx =>
        {
            var exists = ctx.Command("SELECT 1 FROM projects WHERE id = $id").With("$id", projectId);
            if (exists.ExecuteScalar() is null) throw DomainException.NotFound(ErrorCodes.ProjectNotFound, "project not found");
            var now = clock.GetUtcNow();
            var run = new Run(Ids.NewRunId(), projectId, RunStatuses.Running, policy, now, now, agentId, message, conversationId);
            RunStore.Insert(ctx, run);
            var (token, expiresAt) = tokens.Mint(ctx, run.Id, projectId);
            return new RunCreated(run.Id, run.Status, projectId, policy, token, expiresAt);
        });

    /// <summary>
    /// Ends a run in one unit of work: status, token revocation, cancellation of unfinished requests and the terminal
    /// <c>end</c> event commit together. Cancelling an ended run is a no-op; finishing one is a conflict.
    /// </summary>
    public Task<RunEnded> EndAsync(string runId, string status) => writer.ExecuteAsync(ctx =>
    {
        var now = clock.GetUtcNow();
        if (!runs.TryEnd(ctx, runId, status, now))
        {
            var existing = RunStore.Find(ctx, runId) ?? throw DomainException.NotFound(ErrorCodes.RunNotFound, "run not found");
            if (status == RunStatuses.Canceled) return new RunEnded(existing, [], [], []);
            throw AlreadyEnded(existing.Status);
        }
        tokens.RevokeRun(ctx, runId);
        var reason = new MediaRequestError($"the run ended ({status}) before the request finished", ErrorCodes.RunEnded);
        var (cancelled, external) = transitions.CancelAllOfRun(ctx, runId, reason);
        var tasks = MediaTaskTransitions.OpenOfRun(ctx, runId);
        // With external requests and media tasks still ending through their workflows, the terminal frame waits for
        // them (see AppendEndAsync), so a run stream that closes at `end` has shown every request's and task's last event.
        if (external.Count == 0 && tasks.Count == 0) AppendEnd(ctx, runId, status);
        return new RunEnded(RunStore.Find(ctx, runId)!, cancelled, external, tasks);
    });

    /// <summary>The refusal of anything that needs a running run: finishing it again, or a new request in it.</summary>
    public static DomainException AlreadyEnded(string status) =>
        new(DomainErrorKind.Conflict, ErrorCodes.RunTerminal, $"run already ended as {status}", new Dictionary<string, object?> { ["status"] = status });

    /// <summary>Appends the run's <c>end</c> event unless it already has one.</summary>
    public Task AppendEndAsync(string runId) => writer.ExecuteAsync(ctx =>
    {
        var run = RunStore.Find(ctx, runId) ?? throw DomainException.NotFound(ErrorCodes.RunNotFound, "run not found");
        if (RunStatuses.IsTerminal(run.Status) && !HasEnd(ctx, runId)) AppendEnd(ctx, runId, run.Status);
    });

    /// <summary>
    /// Ended runs whose <c>end</c> event was still waiting when the process stopped get it now, so no follower of
    /// their stream waits forever.
    /// </summary>
    public Task<int> AppendMissingEndsAsync() => writer.ExecuteAsync(ctx =>
    {
        var missing = new List<(string Id, string Status)>();
        var cmd = ctx.Command(MissingEndsSql).With("$running", RunStatuses.Running).With("$end", EventNames.End);
        using (var reader = cmd.ExecuteReader())
        {
            while (reader.Read()) missing.Add((reader.GetString(0), reader.GetString(1)));
        }
        foreach (var (id, status) in missing) AppendEnd(ctx, id, status);
        return missing.Count;
    });

    private const string MissingEndsSql =
        "SELECT id, status FROM runs WHERE status <> $running AND NOT EXISTS (SELECT 1 FROM events WHERE events.run_id = runs.id AND events.event = $end)";

    private static bool HasEnd(WriteContext ctx, string runId)
    {
        var cmd = ctx.Command("SELECT 1 FROM events WHERE run_id = $run AND event = $end LIMIT 1").With("$run", runId).With("$end", EventNames.End);
        return cmd.ExecuteScalar() is not null;
    }

    private void AppendEnd(WriteContext ctx, string runId, string status) =>
        events.Append(ctx, runId, EventNames.End, JsonSerializer.Serialize(new RunEndPayload(runId, status), OdJsonContext.Default.RunEndPayload));
}

/// <summary>An ended run, the requests cancelled with it, and the external requests and media tasks whose workflows must now be cancelled.</summary>
public sealed record RunEnded(Run Run, IReadOnlyList<MediaRequest> CancelledRequests, IReadOnlyList<MediaRequest> ExternalToCancel, IReadOnlyList<MediaTask> TasksToCancel);
