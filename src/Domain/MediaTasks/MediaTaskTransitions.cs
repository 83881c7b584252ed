using OpenDesign.Workflows.Contracts;
using OpenDesign.Workflows.Domain.Events;
using OpenDesign.Workflows.Domain.Runs;
using OpenDesign.Workflows.Domain.Storage;

namespace OpenDesign.Workflows.Domain.MediaTasks;

/// <summary>
/// Every change to a media task: the row and its <c>media_task</c> event are written in one unit of work, so the task,
/// its run's stream and the global feed never disagree. Status only moves forward (queued, running, then one terminal
/// state). A task without a run has no stream to write to; its waiters are woken through <see cref="MediaTaskSignals"/>.
/// </summary>
public sealed class MediaTaskTransitions(SqliteWriter writer, EventStore events, MediaTaskSignals signals, TimeProvider clock)
{
    /// <summary>
    /// Stores a new task with its <c>created</c> event, in one unit with the check that its run is still running (a
    /// run end goes through the same writer, so the task is either made before the end, which then cancels it, or
    /// refused with 409 <c>RUN_TERMINAL</c> and nothing stored).
    /// </summary>
    public async Task<MediaTask> CreateAsync(MediaTask task)
    {
        var body = MediaTaskStore.Serialize(task);
        var refusal = await writer.ExecuteAsync(ctx =>
        {
            if (task.RunId is { } runId)
            {
                var status = RunStore.StatusOf(ctx, runId);
                // Answered rather than thrown: nothing has been written, and a throwing unit would make its batch replay.
                if (status != RunStatuses.Running) return status ?? "";
            }
            else if (ctx.Command("SELECT 1 FROM projects WHERE id = $id").With("$id", task.ProjectId).ExecuteScalar() is null)
            {
                return "";
            }
            MediaTaskStore.Insert(ctx, task, body);
            Announce(ctx, task, MediaTaskActions.Created, body);
            return null;
        });
        if (refusal is null) return task;
        if (refusal.Length == 0)
        {
            throw task.RunId is null
                ? DomainException.NotFound(ErrorCodes.ProjectNotFound, "project not found")
                : DomainException.NotFound(ErrorCodes.RunNotFound, "run not found");
        }
        throw RunService.AlreadyEnded(refusal);
    }

    /// <summary>queued -> running (the workflow has the task). Repeating it changes nothing.</summary>
    public Task<MediaTask> MarkRunningAsync(string id) => Change(id, (ctx, current) =>
        current.Status == MediaTaskStatuses.Queued ? Apply(ctx, current, MediaTaskActions.Running, t => t with { Status = MediaTaskStatuses.Running }) : current);

    /// <summary>
    /// Appends a progress line once per <paramref name="effectKey"/> (a retried activity finds its key applied and
    /// appends nothing); a queued task becomes running. Lines after the end are dropped.
    /// </summary>
    public Task<MediaTask> AppendProgressAsync(string id, string effectKey, string line) => Change(id, (ctx, current) =>
        MediaTaskStatuses.IsTerminal(current.Status) || !ctx.TryClaimEffect(effectKey, clock.GetUtcNow())
            ? current
            : Apply(ctx, current, MediaTaskActions.Progress, t => t with { Status = MediaTaskStatuses.Running, Progress = [.. t.Progress, line] }));

    /// <summary>
    /// Marks the task done with its file. The same file again (same sha256, a retried commit) answers unchanged with
    /// <c>Changed = false</c>; a task that already ended another way is a conflict.
    /// </summary>
    public Task<(MediaTask Task, bool Changed)> CompleteAsync(string id, MediaTaskFile file) => writer.ExecuteAsync(ctx =>
    {
        var current = MediaTaskStore.Find(ctx, id) ?? throw MediaTaskStore.NotFound();
        if (current.Status == MediaTaskStatuses.Done && current.File?.Sha256 == file.Sha256) return (current, false);
        if (MediaTaskStatuses.IsTerminal(current.Status)) throw Ended(current);
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        return (Apply(ctx, current, MediaTaskActions.Done, t => t with { Status = MediaTaskStatuses.Done, File = file, EndedAt = now }), true);
    });

    /// <summary>Fails the task unless it has already ended: what a workflow's retried activity needs.</summary>
    public Task<MediaTask> FailOnceAsync(string id, MediaTaskError error) => Change(id, (ctx, current) =>
        MediaTaskStatuses.IsTerminal(current.Status)
            ? current
            : Apply(ctx, current, MediaTaskActions.Failed, t => t with { Status = MediaTaskStatuses.Failed, Error = error, EndedAt = clock.GetUtcNow().ToUnixTimeMilliseconds() }));

    /// <summary>The run's tasks that are still open, read inside the run-end unit of work: their workflows are cancelled after it.</summary>
    internal static IReadOnlyList<MediaTask> OpenOfRun(WriteContext ctx, string runId) => MediaTaskStore.OpenOfRun(ctx, runId);

    public static DomainException Ended(MediaTask task) =>
        new(DomainErrorKind.Conflict, ErrorCodes.MediaRequestTerminal, $"media task is {task.Status}",
            new Dictionary<string, object?> { ["status"] = task.Status });

    private Task<MediaTask> Change(string id, Func<WriteContext, MediaTask, MediaTask> change) => writer.ExecuteAsync(ctx =>
        change(ctx, MediaTaskStore.Find(ctx, id) ?? throw MediaTaskStore.NotFound()));

    private MediaTask Apply(WriteContext ctx, MediaTask current, string action, Func<MediaTask, MediaTask> change)
    {
        var next = change(current) with { UpdatedAt = clock.GetUtcNow().ToUnixTimeMilliseconds() };
        var body = MediaTaskStore.Serialize(next);
        MediaTaskStore.Replace(ctx, next, body);
        Announce(ctx, next, action, body);
        return next;
    }

    private void Announce(WriteContext ctx, MediaTask task, string action, string body)
    {
        if (task.RunId is { } runId)
        {
            events.Append(ctx, runId, EventNames.MediaTask, $"{{\"type\":\"{MediaTaskEvent.EventName}\",\"action\":\"{action}\",\"task\":{body}}}");
        }
        else
        {
            ctx.OnCommitted(() => signals.Pulse(task.TaskId));
        }
    }
}
