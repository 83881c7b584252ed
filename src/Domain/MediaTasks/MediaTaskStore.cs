using System.Text.Json;
using OpenDesign.Workflows.Contracts;
using OpenDesign.Workflows.Domain.Storage;

namespace OpenDesign.Workflows.Domain.MediaTasks;

/// <summary>Media task rows: the whole task as JSON plus the columns queried by, as media requests are stored.</summary>
public sealed class MediaTaskStore(Database database)
{
    internal static void Insert(WriteContext ctx, MediaTask task, string body)
    {
        var cmd = ctx.Command("INSERT INTO media_tasks (id, run_id, project_id, status, body) VALUES ($id, $run, $project, $status, $body)")
            .With("$id", task.TaskId).With("$run", (object?)task.RunId ?? DBNull.Value).With("$project", task.ProjectId)
            .With("$status", task.Status).With("$body", body);
        cmd.ExecuteNonQuery();
    }

    internal static void Replace(WriteContext ctx, MediaTask next, string body)
    {
        var cmd = ctx.Command("UPDATE media_tasks SET status = $status, body = $body WHERE id = $id")
            .With("$status", next.Status).With("$body", body).With("$id", next.TaskId);
        cmd.ExecuteNonQuery();
    }

    internal static MediaTask? Find(WriteContext ctx, string id)
    {
        var cmd = ctx.Command("SELECT body FROM media_tasks WHERE id = $id").With("$id", id);
        return cmd.ExecuteScalar() is string body ? Deserialize(body) : null;
    }

    /// <summary>The run's tasks that have not ended, for the run's end to cancel.</summary>
    internal static IReadOnlyList<MediaTask> OpenOfRun(WriteContext ctx, string runId)
    {
        var cmd = ctx.Command("SELECT body FROM media_tasks WHERE run_id = $run AND status IN ('queued', 'running') ORDER BY seq").With("$run", runId);
        var list = new List<MediaTask>();
        using var reader = cmd.ExecuteReader();
        while (reader.Read()) list.Add(Deserialize(reader.GetString(0)));
        return list;
    }

    public MediaTask? Find(string id)
    {
        if (!Ids.LooksValid(id, "mtask_")) return null;
        using var connection = database.OpenRead();
        using var cmd = connection.Command("SELECT body FROM media_tasks WHERE id = $id").With("$id", id);
        return cmd.ExecuteScalar() is string body ? Deserialize(body) : null;
    }

    public MediaTask Get(string id) => Find(id) ?? throw NotFound();

    public static DomainException NotFound() => DomainException.NotFound(ErrorCodes.MediaTaskNotFound, "task not found");

    internal static string Serialize(MediaTask task) => JsonSerializer.Serialize(task, OdJsonContext.Default.MediaTask);

    private static MediaTask Deserialize(string body) => JsonSerializer.Deserialize(body, OdJsonContext.Default.MediaTask)!;
}
