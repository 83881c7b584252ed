using OpenDesign.Workflows.Contracts;
using OpenDesign.Workflows.Domain.Events;

namespace OpenDesign.Workflows.Domain.MediaTasks;

/// <summary>
/// Open Design's wait: answers at once when the task has ended or has progress beyond <c>since</c>, else when either
/// happens, else at the timeout with the task as it stands. It watches the task's run's events on the hub (they reach
/// this process from a separate worker too, through the event tail); a task without a run is watched through
/// <see cref="MediaTaskSignals"/>. Nothing polls.
/// </summary>
public sealed class MediaTaskWaiter(MediaTaskStore store, EventHub hub, MediaTaskSignals signals)
{
    /// <summary>Open Design's ceiling on one wait.</summary>
    public static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(25);

    public async Task<MediaTaskSnapshot> WaitAsync(string taskId, int since, TimeSpan timeout, CancellationToken ct)
    {
        var task = store.Get(taskId);
        if (timeout > MaxWait) timeout = MaxWait;
        using var subscription = task.RunId is { } runId ? hub.SubscribeRun(runId) : null;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout < TimeSpan.Zero ? TimeSpan.Zero : timeout);
        while (true)
        {
            // Registered before the read, so a change between the read and the wait still wakes it.
            var change = subscription is null ? signals.NextChange(taskId) : null;
            task = store.Get(taskId);
            if (MediaTaskStatuses.IsTerminal(task.Status) || task.Progress.Count > since) return Snapshot(task, since);
            try
            {
                if (subscription is not null)
                {
                    await subscription.WaitToReadAsync(deadline.Token);
                    while (subscription.TryRead(out _)) { }
                    subscription.TakeOverflowed();
                }
                else
                {
                    await change!.WaitAsync(deadline.Token);
                }
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                return Snapshot(store.Get(taskId), since);
            }
        }
    }

    /// <summary>The task as a wait answers it: the progress lines after <paramref name="since"/> and where the next wait starts.</summary>
    public static MediaTaskSnapshot Snapshot(MediaTask task, int since)
    {
        var from = Math.Clamp(since, 0, task.Progress.Count);
        return new MediaTaskSnapshot(task.TaskId, task.Status, task.StartedAt, task.EndedAt, [.. task.Progress.Skip(from)], task.Progress.Count, task.File, task.Error);
    }
}
