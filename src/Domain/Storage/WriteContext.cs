using Microsoft.Data.Sqlite;
using OpenDesign.Workflows.Domain.Events;

namespace OpenDesign.Workflows.Domain.Storage;

/// <summary>
/// What one unit of work sees inside the writer's batch transaction. Events it appends are published to
/// live subscribers only after the batch is durable, so nobody ever sees an event that a crash could undo.
/// </summary>
public sealed class WriteContext
{
    internal WriteContext(SqliteConnection connection, SqliteTransaction transaction)
    {
        Connection = connection;
        Transaction = transaction;
    }

    internal SqliteConnection Connection { get; }
    internal SqliteTransaction Transaction { get; }
    internal List<StoredEvent> Appended { get; } = [];

    internal SqliteCommand Command(string sql) => Connection.Command(sql, Transaction);
}
