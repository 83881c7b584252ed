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

    /// <summary>The writer's connection: WAL, fsync on every commit (synchronous=FULL), foreign keys enforced.</summary>
    internal SqliteConnection OpenWriter()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        Exec(connection, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=5000;");
        return connection;
    }

    private void Migrate()
    {
        using var connection = OpenWriter();
        var version = Convert.ToInt32(Scalar(connection, "PRAGMA user_version"), System.Globalization.CultureInfo.InvariantCulture);
        if (version > Schema.Migrations.Length)
        {
            throw new InvalidOperationException(
                $"The database schema is version {version}, newer than this build knows ({Schema.Migrations.Length}). Run a newer build or point OD_DATA_DIR elsewhere.");
        }
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
