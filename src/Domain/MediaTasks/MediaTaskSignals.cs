using System.Collections.Concurrent;

namespace OpenDesign.Workflows.Domain.MediaTasks;

/// <summary>
/// Wakes waiters of tasks that have no run (legacy project route without a tool token), whose changes have no run
/// stream to appear on. Pulsed after the change is durable. Tasks of a run are waited for on the run's events instead,
/// which also reach this process when a separate worker wrote them.
/// </summary>
public sealed class MediaTaskSignals
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _waiting = new(StringComparer.Ordinal);

    /// <summary>Completes at the task's next change after this call.</summary>
    public Task NextChange(string taskId) =>
        _waiting.GetOrAdd(taskId, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    internal void Pulse(string taskId)
    {
        if (_waiting.TryRemove(taskId, out var waiting)) waiting.TrySetResult();
    }
}
