using OpenDesign.Workflows.Domain.Storage;
using OpenDesign.Workflows.Domain.Tests.Support;

namespace OpenDesign.Workflows.Domain.Tests;

/// <summary>Group commit on a real SQLite file: callers are answered only once their change is durable and visible.</summary>
public sealed class SqliteWriterTests : IAsyncLifetime
{
    private readonly DomainHarness _h = new();

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _h.DisposeAsync();

    [Fact]
    public async Task Many_concurrent_units_all_complete_and_are_all_committed()
    {
        const int count = 400;
        var tasks = Enumerable.Range(0, count)
            .Select(i => Task.Run(() => _h.Writer.ExecuteAsync(ctx => Insert(ctx, $"k{i}"))))
            .ToArray();

        var results = await Task.WhenAll(tasks);

        Assert.Equal(Enumerable.Range(0, count).Select(i => $"k{i}"), results);
        Assert.Equal(count, CountKeys());
    }

    [Fact]
    public async Task A_unit_that_throws_rolls_back_alone_while_the_rest_of_its_batch_commits()
    {
        // Hold the writer inside a unit so the next units queue up and run as one batch.
        using var entered = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var blocker = _h.Writer.ExecuteAsync(ctx =>
        {
            Insert(ctx, "blocker");
            entered.Set();
            release.Wait(TimeSpan.FromSeconds(10));
        });
        Assert.True(entered.Wait(TimeSpan.FromSeconds(10)));

        var before = _h.Writer.ExecuteAsync(ctx => Insert(ctx, "before"));
        var failing = _h.Writer.ExecuteAsync<string>(ctx =>
        {
            Insert(ctx, "doomed-1");
            Insert(ctx, "doomed-2");
            throw new InvalidOperationException("boom");
        });
        var duplicate = _h.Writer.ExecuteAsync(ctx => Insert(ctx, "before")); // violates the primary key
        var after = _h.Writer.ExecuteAsync(ctx => Insert(ctx, "after"));
        release.Set();

        await blocker;
        Assert.Equal("before", await before);
        Assert.Equal("after", await after);
        var boom = await Assert.ThrowsAsync<InvalidOperationException>(() => failing);
        Assert.Equal("boom", boom.Message);
        await Assert.ThrowsAsync<Microsoft.Data.Sqlite.SqliteException>(() => duplicate);

        Assert.Equal(["after", "before", "blocker"], Keys());
    }

    [Fact]
    public async Task A_completed_write_is_visible_to_a_fresh_read_connection()
    {
        for (var i = 0; i < 20; i++)
        {
            await _h.Writer.ExecuteAsync(ctx => Insert(ctx, $"seen-{i}"));
            Assert.Contains($"seen-{i}", Keys());
        }
    }

    [Fact]
    public async Task A_write_survives_reopening_the_database()
    {
        await _h.Writer.ExecuteAsync(ctx => Insert(ctx, "durable"));
        await _h.RestartAsync();
        Assert.Equal(["durable"], Keys());
    }

    [Fact]
    public async Task Units_run_on_the_writer_s_own_thread_not_on_the_thread_pool()
    {
        // Every batch blocks in fsync; on the pool that took one of a two-core machine's two workers from the requests.
        var threads = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Task.Run(() =>
            _h.Writer.ExecuteAsync(_ => (Thread.CurrentThread.IsThreadPoolThread, ThreadId: Environment.CurrentManagedThreadId)))));

        Assert.DoesNotContain(threads, t => t.IsThreadPoolThread);
        Assert.Single(threads.Select(t => t.ThreadId).Distinct());
    }

    [Fact]
    public async Task After_dispose_new_work_is_refused()
    {
        await _h.Writer.DisposeAsync();
        Assert.Throws<ObjectDisposedException>(() => { _ = _h.Writer.ExecuteAsync(ctx => Insert(ctx, "late")); });
    }

    [Fact]
    public async Task A_raw_statement_refused_by_a_constraint_fails_its_unit_alone_and_is_reused_clean()
    {
        using var entered = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var blocker = _h.Writer.ExecuteAsync(ctx =>
        {
            RawInsert(ctx, "blocker", "t0");
            entered.Set();
            release.Wait(TimeSpan.FromSeconds(10));
        });
        Assert.True(entered.Wait(TimeSpan.FromSeconds(10)));

        var first = _h.Writer.ExecuteAsync(ctx => RawInsert(ctx, "raw-1", "t1"));
        var duplicate = _h.Writer.ExecuteAsync(ctx => RawInsert(ctx, "raw-1", "t2")); // violates the primary key
        var after = _h.Writer.ExecuteAsync(ctx => RawInsert(ctx, "raw-2", "t3"));
        release.Set();

        await blocker;
        Assert.Equal("raw-1", await first);
        Assert.Equal("raw-2", await after);
        var refused = await Assert.ThrowsAsync<Microsoft.Data.Sqlite.SqliteException>(() => duplicate);
        Assert.Equal(19, refused.SqliteErrorCode); // SQLITE_CONSTRAINT, as the ADO.NET command reports it
        // Each row carries its own values: the statement was reset and its bindings cleared between uses.
        Assert.Equal([("blocker", "t0"), ("raw-1", "t1"), ("raw-2", "t3")], Rows());

        // A later batch reuses the same prepared statement, and a value it leaves unbound is NULL, not the one bound last:
        // applied_at is NOT NULL, so the insert is refused instead of storing "t3" again.
        var unbound = await Assert.ThrowsAsync<Microsoft.Data.Sqlite.SqliteException>(() =>
            _h.Writer.ExecuteAsync(ctx => ctx.Statement("INSERT INTO applied_effects (key, applied_at) VALUES (?1, ?2)").Bind(1, "raw-3").Run()));
        Assert.Equal(19, unbound.SqliteErrorCode);
        Assert.DoesNotContain(Rows(), r => r.Key == "raw-3");
    }

    private static string RawInsert(WriteContext ctx, string key, string at)
    {
        ctx.Statement("INSERT INTO applied_effects (key, applied_at) VALUES (?1, ?2)").Bind(1, key).Bind(2, at).Run();
        return key;
    }

    private List<(string Key, string? At)> Rows()
    {
        using var connection = _h.Database.OpenRead();
        using var cmd = connection.Command("SELECT key, applied_at FROM applied_effects ORDER BY key");
        using var reader = cmd.ExecuteReader();
        var rows = new List<(string, string?)>();
        while (reader.Read()) rows.Add((reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1)));
        return rows;
    }

    private string Insert(WriteContext ctx, string key)
    {
        using var cmd = ctx.Command("INSERT INTO applied_effects (key, applied_at) VALUES ($key, $at)")
            .With("$key", key).With("$at", _h.Clock.GetUtcNow().ToDb());
        cmd.ExecuteNonQuery();
        return key;
    }

    private List<string> Keys()
    {
        using var connection = _h.Database.OpenRead();
        using var cmd = connection.Command("SELECT key FROM applied_effects ORDER BY key");
        using var reader = cmd.ExecuteReader();
        var keys = new List<string>();
        while (reader.Read()) keys.Add(reader.GetString(0));
        return keys;
    }

    private long CountKeys()
    {
        using var connection = _h.Database.OpenRead();
        using var cmd = connection.Command("SELECT COUNT(*) FROM applied_effects");
        return (long)cmd.ExecuteScalar()!;
    }
}
