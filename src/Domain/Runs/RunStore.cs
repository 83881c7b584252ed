using System.Text.Json;
using Microsoft.Data.Sqlite;
using OpenDesign.Workflows.Contracts;
using OpenDesign.Workflows.Domain.Storage;

namespace OpenDesign.Workflows.Domain.Runs;

/// <summary>Rows of the runs table; the rules about when a run may change live in <see cref="RunService"/>.</summary>
public sealed class RunStore(Database database)
{
    private readonly ReadThroughCache<Run> _runs = new();

    private const string Columns =
        "id, project_id, agent_id, message, conversation_id, status, policy, created_at, updated_at, ended_at, " +
        "agent_state, agent_pid, agent_exit_code, agent_reason, agent_started_at, agent_exited_at";

    internal static void Insert(WriteContext ctx, Run run)
    {
        var cmd = ctx.Command($"""
            INSERT INTO runs ({Columns})
            VALUES ($id, $project, $agent, $message, $conversation, $status, $policy, $created, $updated, NULL, $agentState, NULL, NULL, NULL, NULL, NULL)
            """)
            .With("$id", run.Id).With("$project", run.ProjectId).With("$agent", run.AgentId).With("$message", run.Message)
            .With("$conversation", run.ConversationId).With("$status", run.Status).With("$agentState", run.Agent?.State)
            .With("$policy", JsonSerializer.Serialize(run.MediaExecution, OdJsonContext.Default.MediaExecutionPolicy))
            .With("$created", run.CreatedAt.ToDb()).With("$updated", run.UpdatedAt.ToDb());
        cmd.ExecuteNonQuery();
        ctx.RememberRunStatus(run.Id, run.Status);
    }

    /// <summary>
    /// The run's status inside the writer's transaction, null when there is no such run. The writer remembers it, so a
    /// unit that must not outlive the run (a new request) checks it for a dictionary lookup, and a run end earlier in
    /// the same batch is already visible to it.
    /// </summary>
    internal static string? StatusOf(WriteContext ctx, string runId)
    {
        if (ctx.RememberedRunStatus(runId) is { } remembered) return remembered;
        if (ctx.Command("SELECT status FROM runs WHERE id = $id").With("$id", runId).ExecuteScalar() is not string status) return null;
        ctx.RememberRunStatus(runId, status);
        return status;
    }

    /// <summary>Compare-and-set from running to a terminal status; false when the run had already ended.</summary>
    internal bool TryEnd(WriteContext ctx, string runId, string status, DateTimeOffset at)
    {
        _runs.Changing();
        ctx.OnCommitted(() => _runs.Remove(runId));
        var cmd = ctx.Command("UPDATE runs SET status = $status, updated_at = $at, ended_at = $at WHERE id = $id AND status = $running")
            .With("$status", status).With("$at", at.ToDb()).With("$id", runId).With("$running", RunStatuses.Running);
        if (cmd.ExecuteNonQuery() != 1) return false;
        // From here on, in this batch and after it, a unit that checks the run sees it ended.
        ctx.RememberRunStatus(runId, status);
        return true;
    }

    /// <summary>Records what became of the run's agent process; the cached run is evicted once the change is durable.</summary>
    internal void SetAgent(WriteContext ctx, string runId, string state, int? pid, int? exitCode, string? reason, DateTimeOffset? startedAt, DateTimeOffset? exitedAt)
    {
        _runs.Changing();
        ctx.OnCommitted(() => _runs.Remove(runId));
        ctx.Command("""
            UPDATE runs SET agent_state = $state, agent_pid = COALESCE($pid, agent_pid), agent_exit_code = COALESCE($code, agent_exit_code),
                agent_reason = COALESCE($reason, agent_reason), agent_started_at = COALESCE($started, agent_started_at),
                agent_exited_at = COALESCE($exited, agent_exited_at)
            WHERE id = $id AND agent_state IS NOT NULL
            """)
            .With("$state", state).With("$pid", pid).With("$code", exitCode).With("$reason", reason)
            .With("$started", startedAt?.ToDb()).With("$exited", exitedAt?.ToDb()).With("$id", runId)
            .ExecuteNonQuery();
    }

    /// <summary>Runs still running whose agent the service was starting or supervising: after a restart, none of those processes is ours any more.</summary>
    internal static List<(string RunId, string State, int? Pid)> WithLiveAgent(WriteContext ctx)
    {
        var cmd = ctx.Command("SELECT id, agent_state, agent_pid FROM runs WHERE status = $running AND agent_state IN ($queued, $agentRunning)")
            .With("$running", RunStatuses.Running).With("$queued", AgentStates.Queued).With("$agentRunning", AgentStates.Running);
        var list = new List<(string, string, int?)>();
        using var reader = cmd.ExecuteReader();
        while (reader.Read()) list.Add((reader.GetString(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetInt32(2)));
        return list;
    }

    internal static Run? Find(WriteContext ctx, string runId)
    {
        var cmd = ctx.Command($"SELECT {Columns} FROM runs WHERE id = $id").With("$id", runId);
        return ReadOne(cmd);
    }

    public Run? Find(string runId) => Ids.LooksValid(runId, "run_") ? _runs.Get(runId, Load) : null;

    private Run? Load(string runId)
    {
        using var connection = database.OpenRead();
        using var cmd = connection.Command($"SELECT {Columns} FROM runs WHERE id = $id").With("$id", runId);
        return ReadOne(cmd);
    }

    public Run Get(string runId) => Find(runId) ?? throw DomainException.NotFound(ErrorCodes.RunNotFound, "run not found");

    /// <summary><paramref name="status"/> "active" means not terminal, as in Open Design; any other value must match exactly.</summary>
    public IReadOnlyList<Run> List(string? projectId, string? status, int limit)
    {
        using var connection = database.OpenRead();
        var where = new List<string>();
        using var cmd = connection.CreateCommand();
        if (projectId is not null)
        {
            where.Add("project_id = $project");
            cmd.With("$project", projectId);
        }
        if (status == "active")
        {
            where.Add("status = $running");
            cmd.With("$running", RunStatuses.Running);
        }
        else if (status is not null)
        {
            where.Add("status = $status");
            cmd.With("$status", status);
        }
        cmd.With("$limit", limit);
        cmd.CommandText = $"SELECT {Columns} FROM runs {(where.Count > 0 ? "WHERE " + string.Join(" AND ", where) : "")} ORDER BY created_at DESC, id LIMIT $limit";
        var list = new List<Run>();
        using var reader = cmd.ExecuteReader();
        while (reader.Read()) list.Add(Read(reader));
        return list;
    }

    /// <summary>
    /// Every environment variable any run's executor auth names (whose values are credentials the service holds), so
    /// that no agent is ever handed one of them.
    /// </summary>
    public IReadOnlySet<string> ExecutorAuthEnvNames()
    {
        using var connection = database.OpenRead();
        using var cmd = connection.Command(
            "SELECT DISTINCT json_extract(policy, '$.externalExecutor.auth.env') FROM runs WHERE json_extract(policy, '$.externalExecutor.auth.env') IS NOT NULL");
        var names = new HashSet<string>(StringComparer.Ordinal);
        using var reader = cmd.ExecuteReader();
        while (reader.Read()) names.Add(reader.GetString(0));
        return names;
    }

    private static Run? ReadOne(SqliteCommand cmd)
    {
        using var reader = cmd.ExecuteReader();
        return reader.Read() ? Read(reader) : null;
    }

    private static Run Read(SqliteDataReader r) => new(
        Id: r.GetString(0),
        ProjectId: r.GetString(1),
        Status: r.GetString(5),
        MediaExecution: JsonSerializer.Deserialize(r.GetString(6), OdJsonContext.Default.MediaExecutionPolicy)!,
        CreatedAt: r.ReadTime(7),
        UpdatedAt: r.ReadTime(8),
        AgentId: r.ReadStringOrNull(2),
        Message: r.ReadStringOrNull(3),
        ConversationId: r.ReadStringOrNull(4),
        EndedAt: r.ReadTimeOrNull(9),
        Agent: r.ReadStringOrNull(10) is { } state
            ? new RunAgent(r.ReadStringOrNull(2) ?? "", state, r.IsDBNull(11) ? null : r.GetInt32(11), r.IsDBNull(12) ? null : r.GetInt32(12),
                r.ReadStringOrNull(13), r.ReadTimeOrNull(14), r.ReadTimeOrNull(15))
            : null);
}
