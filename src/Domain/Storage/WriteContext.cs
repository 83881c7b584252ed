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

    internal WriteContext(StatementCache statements, SqliteTransaction transaction)
    {
        _statements = statements;
        _transaction = transaction;
    }

    internal List<StoredEvent> Appended { get; } = [];

    /// <summary>Work to run once the batch is durable (cache evictions), before its callers are answered.</summary>
    internal List<Action> Committed { get; } = [];

    /// <summary>
    /// A prepared statement owned by the writer: use it, don't dispose it. Its parameters are cleared on every hand-out.
    /// </summary>
    internal SqliteCommand Command(string sql) => _statements.Get(sql, _transaction);

    internal void OnCommitted(Action action) => Committed.Add(action);
}
