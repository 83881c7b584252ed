using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using OpenDesign.Workflows.Contracts;
using OpenDesign.Workflows.Domain.Storage;

namespace OpenDesign.Workflows.Domain.MediaRequests;

/// <summary>
/// Media request rows: the whole request as JSON plus the columns we query by. The AUTOINCREMENT seq orders a run's
/// requests and is the list cursor, so a page costs an index range scan however many requests are stored.
/// </summary>
public sealed class MediaRequestStore(Database database)
{
    /// <summary>Inserts a new request with its JSON (<see cref="SerializeUtf8"/>), bound as it is.</summary>
    internal static void Insert(WriteContext ctx, MediaRequest request, byte[] body)
    {
        ctx.Statement("INSERT INTO media_requests (id, run_id, project_id, status, body) VALUES (?1, ?2, ?3, ?4, ?5)")
            .Bind(1, request.Id).Bind(2, request.RunId).Bind(3, request.ProjectId).Bind(4, request.Status).Bind(5, body)
            .Run();
    }

    /// <summary>Compare-and-set on status: of two racing transitions from the same state exactly one matches.</summary>
    internal static bool TryReplace(WriteContext ctx, string expectedStatus, MediaRequest next, byte[] body) =>
        ctx.Statement("UPDATE media_requests SET status = ?1, body = ?2 WHERE id = ?3 AND status = ?4")
            .Bind(1, next.Status).Bind(2, body).Bind(3, next.Id).Bind(4, expectedStatus)
            .Run() == 1;

    internal static MediaRequest? Find(WriteContext ctx, string id)
    {
        var cmd = ctx.Command("SELECT body FROM media_requests WHERE id = $id").With("$id", id);
        return cmd.ExecuteScalar() is string body ? Deserialize(body) : null;
    }

    internal static IReadOnlyList<MediaRequest> NonTerminalOfRun(WriteContext ctx, string runId)
    {
        var cmd = ctx.Command("SELECT body FROM media_requests WHERE run_id = $run AND status IN ('requested', 'submitted', 'running') ORDER BY seq")
            .With("$run", runId);
        return ReadAll(cmd);
    }

    public MediaRequest? Find(string id)
    {
        if (!Ids.LooksValid(id, "mreq_")) return null;
        using var connection = database.OpenRead();
        using var cmd = connection.Command("SELECT body FROM media_requests WHERE id = $id").With("$id", id);
        return cmd.ExecuteScalar() is string body ? Deserialize(body) : null;
    }

    /// <summary>Whether a fulfilled request of the project records this project-relative path as its file.</summary>
    public bool IsFileRecorded(string projectId, string relativePath)
    {
        using var connection = database.OpenRead();
        using var cmd = connection.Command("""
            SELECT 1 FROM media_requests
            WHERE project_id = $project AND status = 'fulfilled' AND json_extract(body, '$.fulfilledFile.path') = $path LIMIT 1
            """).With("$project", projectId).With("$path", relativePath);
        return cmd.ExecuteScalar() is not null;
    }

    public MediaRequest Get(string id) =>
        Find(id) ?? throw DomainException.NotFound(ErrorCodes.MediaRequestNotFound, "media request not found");

    public MediaRequestList ListByRun(string runId, string? cursor, int limit)
    {
        long after = 0;
        if (cursor is not null && (!long.TryParse(cursor, NumberStyles.None, CultureInfo.InvariantCulture, out after) || after < 0))
        {
            throw DomainException.Invalid("cursor must be a value returned as nextCursor");
        }
        using var connection = database.OpenRead();
        using var cmd = connection.Command("SELECT seq, body FROM media_requests WHERE run_id = $run AND seq > $after ORDER BY seq LIMIT $limit")
            .With("$run", runId).With("$after", after).With("$limit", limit + 1);
        var list = new List<MediaRequest>(Math.Min(limit, 1024));
        long lastSeq = 0;
        var more = false;
        using var reader = cmd.ExecuteReader();
        while (reader.Read())
        {
            if (list.Count == limit)
            {
                more = true;
                break;
            }
            lastSeq = reader.GetInt64(0);
            list.Add(Deserialize(reader.GetString(1)));
        }
        return new MediaRequestList(list, more ? lastSeq.ToString(CultureInfo.InvariantCulture) : null);
    }

    private static List<MediaRequest> ReadAll(SqliteCommand cmd)
    {
        var list = new List<MediaRequest>();
        using var reader = cmd.ExecuteReader();
        while (reader.Read()) list.Add(Deserialize(reader.GetString(0)));
        return list;
    }

    /// <summary>
    /// A request's JSON as the UTF-8 the serializer writes: it is stored, put in its event and (for a new request) sent as
    /// the answer, all as UTF-8, so it is never turned into a string and back.
    /// </summary>
    internal static byte[] SerializeUtf8(MediaRequest request) => JsonSerializer.SerializeToUtf8Bytes(request, OdJsonContext.Default.MediaRequest);

    private static MediaRequest Deserialize(string body) => JsonSerializer.Deserialize(body, OdJsonContext.Default.MediaRequest)!;
}
