using Microsoft.Data.Sqlite;
using OpenDesign.Workflows.Domain.Events;

namespace OpenDesign.Workflows.Domain.Storage;

/// <summary>
/// What one unit of work sees inside the writer's batch transaction. Events it appends are published to
/// live subscribers only after the batch is durable, so nobody ever sees an event that a crash could undo.
/// </summary>
public sealed class WriteContext
{
    private readonly StatementCache _statements;
    private readonly SqliteTransaction _transaction;
    private readonly WriterMemory _memory;

    internal WriteContext(StatementCache statements, SqliteTransaction transaction, WriterMemory memory)
    {
        _statements = statements;
        _transaction = transaction;
        _memory = memory;
    }

    /// <summary>
    /// The next per-run event sequence. The writer owns every event insert, so it keeps the last sequence of each run
    /// in memory (read once from the events index) instead of updating a counter row per event. Should another
    /// process write to the same run (a separate worker), the unique (run_id, seq) index refuses the stale number, the
    /// batch replays unit by unit, and the sequence is read from the index again.
    /// </summary>
    internal long NextEventSeq(string runId)
    {
        if (!_memory.TryGetEventSeq(runId, out var last))
        {
            last = Command("SELECT COALESCE(MAX(seq), 0) FROM events WHERE run_id = $run").With("$run", runId).ExecuteScalar() is long max ? max : 0;
        }
        _memory.SetEventSeq(runId, last + 1);
        return last + 1;
    }

    /// <summary>
    /// A run's status as the writer last read or wrote it (see <c>RunStore.StatusOf</c>); null when not remembered.
    /// Runs change status only through the writer, and a rolled-back change is forgotten with its transaction.
    /// </summary>
    internal string? RememberedRunStatus(string runId) => _memory.RunStatus(runId);

    internal void RememberRunStatus(string runId, string status) => _memory.SetRunStatus(runId, status);

    /// <summary>
    /// Claims a side effect once: true the first time <paramref name="key"/> is seen, false when a retried activity
    /// (of a media request or a media task) finds its change already made.
    /// </summary>
    internal bool TryClaimEffect(string key, DateTimeOffset now) =>
        Command("INSERT OR IGNORE INTO applied_effects (key, applied_at) VALUES ($key, $at)").With("$key", key).With("$at", now.ToDb()).ExecuteNonQuery() == 1;

    internal List<StoredEvent> Appended { get; } = [];

    /// <summary>Work to run once the batch is durable (cache evictions), before its callers are answered.</summary>
    internal List<Action> Committed { get; } = [];

    /// <summary>
    /// A prepared statement owned by the writer: use it, don't dispose it. Its parameters are cleared on every hand-out.
    /// </summary>
    internal SqliteCommand Command(string sql) => _statements.Get(sql, _transaction);

    /// <summary>A prepared statement run without ADO.NET, for the inserts every request and event make: bind, run, done.</summary>
    internal RawStatement Statement(string sql) => _statements.Raw(sql);

    internal void OnCommitted(Action action) => Committed.Add(action);
}
