using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using OpenDesign.Workflows.Domain.Events;
using OpenDesign.Workflows.Domain.Storage;

namespace OpenDesign.Workflows.Domain.Tests.Support;

/// <summary>
/// A writer over a fresh database whose log is rewound after 256 frames (1 MiB of 4 KiB pages) and checkpointed every
/// 10 ms, so rewinds and checkpoint passes happen within a test's few thousand rows instead of 128 MiB.
/// </summary>
public sealed class ShortLogWriter : IAsyncDisposable
{
    private readonly TempDir _temp = new();

    public ShortLogWriter()
    {
        var options = new OdOptions { DataDir = _temp.Path };
        Database = new Database(options);
        Writer = new SqliteWriter(Database, new EventHub(options), NullLogger<SqliteWriter>.Instance, rewindAfterFrames: 256,
            checkpointInterval: TimeSpan.FromMilliseconds(10));
        LogFile = new FileInfo(options.DatabasePath + "-wal");
    }

    public Database Database { get; }
    public SqliteWriter Writer { get; }
    public FileInfo LogFile { get; }

    /// <summary>One row of about <paramref name="chars"/> characters in a table and its key index.</summary>
    public Task InsertAsync(string key, int chars) =>
        Writer.ExecuteAsync(ctx => ctx.Command("INSERT INTO applied_effects (key, applied_at) VALUES ($key, 'now')")
            .With("$key", key + new string('x', chars)).ExecuteNonQuery());

    public long Rows()
    {
        using var connection = Database.OpenRead();
        using var cmd = connection.Command("SELECT COUNT(*) FROM applied_effects");
        return (long)cmd.ExecuteScalar()!;
    }

    public async ValueTask DisposeAsync()
    {
        await Writer.DisposeAsync();
        SqliteConnection.ClearAllPools();
        _temp.Dispose();
    }
}
