using Microsoft.Data.Sqlite;

namespace OpenDesign.Workflows.Domain.Storage;

/// <summary>
/// The writer's prepared statements, one per SQL text, kept for the life of its connection. Preparing was close to
/// half of the writer's statement time under load. A cached command keeps its parameters; every caller sets all of
/// them (<see cref="SqliteCommandExtensions.With"/>). Only the writer thread uses it, so it needs no locking.
/// </summary>
internal sealed class StatementCache(SqliteConnection connection) : IDisposable
{
    private readonly Dictionary<string, SqliteCommand> _commands = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RawStatement> _raw = new(StringComparer.Ordinal);

    public SqliteCommand Get(string sql, SqliteTransaction transaction)
    {
        if (!_commands.TryGetValue(sql, out var cmd))
        {
            cmd = connection.CreateCommand();
            cmd.CommandText = sql;
            _commands[sql] = cmd;
        }
        cmd.Transaction = transaction;
        return cmd;
    }

    /// <summary>The hot inserts, without the ADO.NET command (see <see cref="RawStatement"/>).</summary>
    public RawStatement Raw(string sql)
    {
        if (!_raw.TryGetValue(sql, out var statement))
        {
            statement = RawStatement.Prepare(connection, sql);
            _raw[sql] = statement;
        }
        return statement;
    }

    public void Dispose()
    {
        foreach (var cmd in _commands.Values) cmd.Dispose();
        _commands.Clear();
        foreach (var statement in _raw.Values) statement.Dispose();
        _raw.Clear();
    }
}
