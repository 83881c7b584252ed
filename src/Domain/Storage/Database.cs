using Microsoft.Data.Sqlite;

namespace OpenDesign.Workflows.Domain.Storage;

/// <summary>
/// The one SQLite file under the data root. Reads open pooled connections; every write goes through
/// <see cref="SqliteWriter"/>, so there is exactly one writer and no SQLITE_BUSY between our own writes.
/// </summary>
public sealed class Database
{
    private readonly string _connectionString;

    public Database(OdOptions options)
    {
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = options.DatabasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
        Migrate();
    }

    public SqliteConnection OpenRead()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        return connection;
    }

    /// <summary>
    /// The writer's connection: WAL, fsync on every commit (synchronous=FULL), foreign keys enforced. It never
    /// checkpoints by itself: a commit that triggered one would hold every caller of its batch for the copy, so
    /// <see cref="WalCheckpointer"/> runs beside it instead.
    /// </summary>
    internal SqliteConnection OpenWriter()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        Exec(connection, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=5000; PRAGMA wal_autocheckpoint=0; PRAGMA journal_size_limit=201326592;");
        return connection;
    }

    /// <summary>
    /// Copies committed WAL pages into the database without blocking the writer (PASSIVE). Only when the log still
    /// holds a very large backlog afterwards (readers kept old pages pinned) does it wait for them (RESTART), so the
    /// log cannot grow without bound while the common case never stalls a commit.
    /// </summary>
    internal WalState Checkpoint()
    {
        using var connection = new SqliteConnection(_connectionString);
        connection.Open();
        var state = CheckpointPassive(connection);
        if (state.LogFrames - state.Checkpointed > LargeBacklogFrames)
        {
            Exec(connection, "PRAGMA wal_checkpoint(RESTART);");
        }
        return state;
    }

    /// <summary>One PASSIVE pass on the given connection: how many frames the log holds and how many are now copied.</summary>
    internal static WalState CheckpointPassive(SqliteConnection connection)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "PRAGMA wal_checkpoint(PASSIVE);";
        using var reader = cmd.ExecuteReader();
        return reader.Read() ? new WalState(reader.GetInt64(1), reader.GetInt64(2)) : default;
    }

    private const long LargeBacklogFrames = 50_000;

    private void Migrate()
    {
        // Checked on a plain connection first: the writer's pragmas switch the file to WAL, a change to its header that
        // a database this build refuses must not get.
        using (var plain = new SqliteConnection(_connectionString))
        {
            plain.Open();
            var found = Convert.ToInt32(Scalar(plain, "PRAGMA user_version"), System.Globalization.CultureInfo.InvariantCulture);
            if (found > Schema.Migrations.Length)
            {
                throw new InvalidOperationException(
                    $"The database schema is version {found}, newer than this build knows ({Schema.Migrations.Length}). Run a newer build or point OD_DATA_DIR elsewhere.");
            }
        }
        using var connection = OpenWriter();
        var version = Convert.ToInt32(Scalar(connection, "PRAGMA user_version"), System.Globalization.CultureInfo.InvariantCulture);
        for (var i = version; i < Schema.Migrations.Length; i++)
        {
            using var tx = connection.BeginTransaction();
            using (var cmd = connection.CreateCommand())
            {
                cmd.Transaction = tx;
                cmd.CommandText = Schema.Migrations[i] + $"\nPRAGMA user_version = {i + 1};";
                cmd.ExecuteNonQuery();
            }
            tx.Commit();
        }
    }

    private static void Exec(SqliteConnection connection, string sql)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    private static object? Scalar(SqliteConnection connection, string sql)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        return cmd.ExecuteScalar();
    }
}
