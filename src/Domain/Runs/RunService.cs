using System.Text.Json;
using OpenDesign.Workflows.Contracts;
using OpenDesign.Workflows.Domain.Events;
using OpenDesign.Workflows.Domain.MediaRequests;
using OpenDesign.Workflows.Domain.Storage;
using OpenDesign.Workflows.Domain.Tokens;

namespace OpenDesign.Workflows.Domain.Runs;

public sealed class RunService(SqliteWriter writer, ToolTokens tokens, MediaRequestService requests, EventStore events, TimeProvider clock)
{
    public Task<RunCreated> CreateAsync(string projectId, string? agentId, string? message, string? conversationId, MediaExecutionPolicy policy) =>
        writer.ExecuteAsync(ctx =>
        {
            using (var exists = ctx.Command("SELECT 1 FROM projects WHERE id = $id").With("$id", projectId))
            {
                if (exists.ExecuteScalar() is null) throw DomainException.NotFound(ErrorCodes.ProjectNotFound, "project not found");
            }
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
        if (!RunStore.TryEnd(ctx, runId, status, now))
        {
            var existing = RunStore.Find(ctx, runId) ?? throw DomainException.NotFound(ErrorCodes.RunNotFound, "run not found");
            if (status == RunStatuses.Canceled) return new RunEnded(existing, [], []);
            throw new DomainException(409, ErrorCodes.RunTerminal, $"run already ended as {existing.Status}",
                new Dictionary<string, object?> { ["status"] = existing.Status });
        }
        tokens.RevokeRun(ctx, runId);
        var reason = new MediaRequestError($"the run ended ({status}) before the request finished", "RUN_ENDED");
        var (cancelled, external) = requests.CancelAllOfRun(ctx, runId, reason);
        events.Append(ctx, runId, EventNames.End, JsonSerializer.Serialize(new RunEndPayload(runId, status), OdJsonContext.Default.RunEndPayload));
        return new RunEnded(RunStore.Find(ctx, runId)!, cancelled, external);
    });
}

/// <summary>An ended run, the requests cancelled with it, and the external ones whose workflows must now be cancelled.</summary>
public sealed record RunEnded(Run Run, IReadOnlyList<MediaRequest> CancelledRequests, IReadOnlyList<MediaRequest> ExternalToCancel);
