using System.Text.Json;
using OpenDesign.Workflows.Contracts;
using OpenDesign.Workflows.Domain.Catalog;
using OpenDesign.Workflows.Domain.Events;
using OpenDesign.Workflows.Domain.MediaRequests;
using OpenDesign.Workflows.Domain.MediaTasks;
using OpenDesign.Workflows.Domain.Storage;
using OpenDesign.Workflows.Domain.Tokens;

namespace OpenDesign.Workflows.Domain.Runs;

public sealed class RunService(
    SqliteWriter writer, RunStore runs, ToolTokens tokens, MediaRequestTransitions transitions, EventStore events, RunEndSignals signals,
    IExternalMediaDispatcher externalRequests, TimeProvider clock)
{
    /// <param name="launchAgent">The service starts the configured agent <paramref name="agentId"/> for this run: it is stored as queued.</param>
    public Task<RunCreated> CreateAsync(string projectId, string? agentId, string? message, string? conversationId, MediaExecutionPolicy policy, bool launchAgent = false)
    {
        EnsureKnownModels(policy);
        EnsureEngineFor(policy);
        return writer.ExecuteAsync(ctx =>
        {
            var exists = ctx.Command("SELECT 1 FROM projects WHERE id = $id").With("$id", projectId);
            if (exists.ExecuteScalar() is null) throw DomainException.NotFound(ErrorCodes.ProjectNotFound, "project not found");
            var now = clock.GetUtcNow();
            var agent = launchAgent ? new RunAgent(agentId!, AgentStates.Queued) : null;
            var run = new Run(Ids.NewRunId(), projectId, RunStatuses.Running, policy, now, now, agentId, message, conversationId, Agent: agent);
            RunStore.Insert(ctx, run);
            var (token, expiresAt) = tokens.Mint(ctx, run.Id, projectId);
            return new RunCreated(run.Id, run.Status, projectId, policy, token, expiresAt, ApiRoutes.Runs.PromptPath(run.Id), agent);
        });
    }

    /// <summary>
    /// Every request of an external run is a workflow: without the engine none could even be submitted, so the run is
    /// refused now rather than failing each generate. Enabled runs are not refused here: their generates answer 503
    /// while the engine is away, and a run may outlive a short outage without ever generating.
    /// </summary>
    private void EnsureEngineFor(MediaExecutionPolicy policy)
    {
        if (policy.Mode != MediaExecutionModes.External || externalRequests.IsAvailable) return;
        throw DomainException.EngineUnavailable(
            $"external media mode needs the workflow engine (Temporal), which is not available; see GET {ApiRoutes.Health.Ready}");
    }

    /// <summary>
    /// An enabled run can only ever run catalog models, so an <c>allowedModels</c> entry naming another model is a
    /// mistake caught now rather than at the first generate. Other modes hand the model to someone else (an
    /// executor, an orchestrator) who may know models this catalog does not, so they accept any id.
    /// </summary>
    private static void EnsureKnownModels(MediaExecutionPolicy policy)
    {
        if (policy.Mode != MediaExecutionModes.Enabled || policy.AllowedModels is null) return;
        foreach (var model in policy.AllowedModels)
        {
            if (!MediaCatalog.Contains(model))
            {
                throw new DomainException(DomainErrorKind.Invalid, ErrorCodes.MediaModelUnknown,
                    $"mediaExecution.allowedModels names \"{model}\", which is not a model of this service's catalog (GET {ApiRoutes.Media.Models})",
                    new Dictionary<string, object?> { ["model"] = model });
            }
        }
    }

    /// <summary>
    /// Ends a run in one unit of work: status, token revocation, cancellation of unfinished requests and the terminal
    /// <c>end</c> event commit together. Cancelling an ended run is a no-op; finishing one is a conflict.
    /// </summary>
    /// <param name="agent">
    /// The run's agent process has ended: what became of it is recorded in the same unit, whether or not the run was
    /// still running (an agent that exits after its run was cancelled ends nothing and is no conflict).
    /// </param>
    public Task<RunEnded> EndAsync(string runId, string status, AgentExit? agent = null) => writer.ExecuteAsync(ctx =>
    {
        var now = clock.GetUtcNow();
        if (agent is not null) runs.SetAgent(ctx, runId, AgentStates.Exited, null, agent.ExitCode, agent.Reason, null, now);
        if (!runs.TryEnd(ctx, runId, status, now))
        {
            var existing = RunStore.Find(ctx, runId) ?? throw DomainException.NotFound(ErrorCodes.RunNotFound, "run not found");
            if (status == RunStatuses.Canceled || agent is not null) return new RunEnded(existing, [], [], []);
            throw AlreadyEnded(existing.Status);
        }
        tokens.RevokeRun(ctx, runId);
        var reason = new MediaRequestError($"the run ended ({status}) before the request finished", ErrorCodes.RunEnded);
        var (cancelled, external) = transitions.CancelAllOfRun(ctx, runId, reason);
        var tasks = MediaTaskTransitions.OpenOfRun(ctx, runId);
        // With external requests and media tasks still ending through their workflows, the terminal frame waits for
        // them (see AppendEndAsync), so a run stream that closes at `end` has shown every request's and task's last event.
        if (external.Count == 0 && tasks.Count == 0) AppendEnd(ctx, runId, status, agent?.ExitCode, agent?.Reason);
        // The agent supervisor stops the run's process once the end is durable, whoever ended it.
        ctx.OnCommitted(() => signals.Raise(runId));
        return new RunEnded(RunStore.Find(ctx, runId)!, cancelled, external, tasks);
    });

    /// <summary>The refusal of anything that needs a running run: finishing it again, or a new request in it.</summary>
    public static DomainException AlreadyEnded(string status) =>
        new(DomainErrorKind.Conflict, ErrorCodes.RunTerminal, $"run already ended as {status}", new Dictionary<string, object?> { ["status"] = status });

    /// <summary>Appends the run's <c>end</c> event unless it already has one.</summary>
    public Task AppendEndAsync(string runId) => writer.ExecuteAsync(ctx =>
    {
        var run = RunStore.Find(ctx, runId) ?? throw DomainException.NotFound(ErrorCodes.RunNotFound, "run not found");
        if (RunStatuses.IsTerminal(run.Status) && !HasEnd(ctx, runId)) AppendEnd(ctx, runId, run.Status, run.Agent?.ExitCode, run.Agent?.Reason);
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
        foreach (var (id, status) in missing)
        {
            var run = RunStore.Find(ctx, id);
            AppendEnd(ctx, id, status, run?.Agent?.ExitCode, run?.Agent?.Reason);
        }
        return missing.Count;
    });

    private const string MissingEndsSql =
        "SELECT id, status FROM runs WHERE status <> $running AND NOT EXISTS (SELECT 1 FROM events WHERE events.run_id = runs.id AND events.event = $end)";

    private static bool HasEnd(WriteContext ctx, string runId)
    {
        var cmd = ctx.Command("SELECT 1 FROM events WHERE run_id = $run AND event = $end LIMIT 1").With("$run", runId).With("$end", EventNames.End);
        return cmd.ExecuteScalar() is not null;
    }

    private void AppendEnd(WriteContext ctx, string runId, string status, int? code, string? reason) =>
        events.Append(ctx, runId, EventNames.End, JsonSerializer.Serialize(new RunEndPayload(runId, status, code, reason), OdJsonContext.Default.RunEndPayload));
}

/// <summary>How a run's agent process ended: its exit code (null when it never started or was lost), and why, when that is not obvious.</summary>
public sealed record AgentExit(int? ExitCode, string? Reason);

/// <summary>An ended run, the requests cancelled with it, and the external requests and media tasks whose workflows must now be cancelled.</summary>
public sealed record RunEnded(Run Run, IReadOnlyList<MediaRequest> CancelledRequests, IReadOnlyList<MediaRequest> ExternalToCancel, IReadOnlyList<MediaTask> TasksToCancel);
