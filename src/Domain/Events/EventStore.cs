using OpenDesign.Workflows.Domain.Storage;

namespace OpenDesign.Workflows.Domain.Events;

/// <summary>
/// Durable, resumable events: appended inside the writer's transaction, read back by cursor in pages bounded by count
/// and by bytes (the summed length of the events' JSON data; a page always holds at least one event, however large).
/// </summary>
public sealed class EventStore(Database database, TimeProvider clock)
{
    public const int PageSize = 500;

    /// <summary>Appends within the caller's unit of work; the per-run sequence comes from the run row, which the single writer owns.</summary>
    public StoredEvent Append(WriteContext ctx, string runId, string name, string data) => Append(ctx, runId, name, data, null);

    /// <summary>As <see cref="Append(WriteContext, string, string, string)"/>, with the data already UTF-8: stored as it is.</summary>
    public StoredEvent Append(WriteContext ctx, string runId, string name, byte[] data) =>
        Append(ctx, runId, name, System.Text.Encoding.UTF8.GetString(data), data);

    /// <summary>Stores <paramref name="utf8"/> when given (the same text as <paramref name="data"/>), else encodes <paramref name="data"/>.</summary>
    private StoredEvent Append(WriteContext ctx, string runId, string name, string data, byte[]? utf8)
    {
        var seq = ctx.NextEventSeq(runId);
        var now = clock.GetUtcNow();
        var insert = ctx.Statement("INSERT INTO events (run_id, seq, event, data, created_at) VALUES (?1, ?2, ?3, ?4, ?5)")
            .Bind(1, runId).Bind(2, seq).Bind(3, name).Bind(5, now.ToDb());
        if (utf8 is null) insert.Bind(4, data);
        else insert.Bind(4, utf8);
        insert.Run();
        var stored = new StoredEvent(insert.LastInsertRowId, runId, seq, name, data, now);
        ctx.Appended.Add(stored);
        return stored;
    }

    public EventPage ReadRun(string runId, long afterSeq, int limit = PageSize, long maxBytes = long.MaxValue)
    {
        using var connection = database.OpenRead();
        using var cmd = connection.Command("SELECT id, run_id, seq, event, data, created_at FROM events WHERE run_id = $run AND seq > $after ORDER BY seq LIMIT $limit")
            .With("$run", runId).With("$after", afterSeq).With("$limit", limit);
        return ReadPage(cmd, limit, maxBytes);
    }

    /// <summary>The global feed's events (media requests and media tasks) after a global id.</summary>
    public EventPage ReadFeed(long afterId, int limit = PageSize, long maxBytes = long.MaxValue)
    {
        using var connection = database.OpenRead();
        using var cmd = connection.Command("SELECT id, run_id, seq, event, data, created_at FROM events WHERE id > $after AND event IN ($request, $task) ORDER BY id LIMIT $limit")
            .With("$after", afterId).With("$request", EventNames.MediaRequest).With("$task", EventNames.MediaTask).With("$limit", limit);
        return ReadPage(cmd, limit, maxBytes);
    }

    /// <summary>Every event after a global id, of any run and name: what the event tail relays.</summary>
    public EventPage ReadAllAfter(long afterId, int limit = PageSize, long maxBytes = long.MaxValue)
    {
        using var connection = database.OpenRead();
        using var cmd = connection.Command("SELECT id, run_id, seq, event, data, created_at FROM events WHERE id > $after ORDER BY id LIMIT $limit")
            .With("$after", afterId).With("$limit", limit);
        return ReadPage(cmd, limit, maxBytes);
    }

    public long LastId()
    {
        using var connection = database.OpenRead();
        using var cmd = connection.Command("SELECT COALESCE(MAX(id), 0) FROM events");
        return (long)cmd.ExecuteScalar()!;
    }

    public StoredEvent? LastOfRun(string runId)
    {
        using var connection = database.OpenRead();
        using var cmd = connection.Command("SELECT id, run_id, seq, event, data, created_at FROM events WHERE run_id = $run ORDER BY seq DESC LIMIT 1").With("$run", runId);
        using var reader = cmd.ExecuteReader();
        return reader.Read() ? Row(reader) : null;
    }

    /// <summary>
    /// Rows until the byte bound is reached. Stepping to the next row (without reading its data) tells whether the
    /// bound cut the page short, so a reader that stopped on bytes is not mistaken for the end of the events.
    /// </summary>
    private static EventPage ReadPage(Microsoft.Data.Sqlite.SqliteCommand cmd, int limit, long maxBytes)
    {
        var list = new List<StoredEvent>();
        long bytes = 0;
        using var reader = cmd.ExecuteReader();
        while (reader.Read())
        {
            var e = Row(reader);
            list.Add(e);
            bytes += e.Data.Length;
            if (bytes >= maxBytes) return new EventPage(list, more: reader.Read());
        }
        return new EventPage(list, more: list.Count == limit);
    }

    private static StoredEvent Row(Microsoft.Data.Sqlite.SqliteDataReader reader) =>
        new(reader.GetInt64(0), reader.GetString(1), reader.GetInt64(2), reader.GetString(3), reader.GetString(4), reader.ReadTime(5));
}
