using OpenDesign.Workflows.Contracts;
using OpenDesign.Workflows.Domain;
using OpenDesign.Workflows.Domain.MediaRequests;
using OpenDesign.Workflows.Domain.MediaTasks;
using OpenDesign.Workflows.Workflows;

namespace OpenDesign.Workflows.Api.Temporal;

/// <summary>
/// The client side of enabled mode: one workflow per media task, id <c>media-task-&lt;taskId&gt;</c>, started and
/// cancelled the way external requests' workflows are (<see cref="WorkflowCalls"/>).
/// </summary>
public sealed class TemporalMediaTaskDispatcher(TemporalRuntime runtime, WorkflowStarts starts, OdOptions options) : IMediaTaskDispatcher
{
    public bool IsAvailable => runtime.Client is not null;

    public Task StartAsync(MediaTask task, CancellationToken ct)
    {
        var client = WorkflowCalls.Client(runtime);
        var input = new MediaTaskInput(task.TaskId, task.RunId, task.ProjectId, options.MediaProviderAttempts, options.MediaProviderRetryInterval,
            options.MediaPollInterval, runtime.HasSearchAttributes);
        var memo = new Dictionary<string, object>
        {
            ["runId"] = task.RunId ?? "",
            ["projectId"] = task.ProjectId,
            ["surface"] = task.Surface,
            ["model"] = task.Model,
            ["provider"] = task.ProviderId,
        };
        var workflowOptions = WorkflowCalls.StartOptions(runtime, MediaTaskWorkflow.IdFor(task.TaskId),
            $"{task.Surface} · {task.Model} ({task.ProviderId}) · {task.RunId ?? task.ProjectId}", memo, task.Prompt,
            (task.RunId ?? "", task.ProjectId, task.Surface, task.Status), ct);
        return WorkflowCalls.StartAsync(() => client.StartWorkflowAsync((MediaTaskWorkflow wf) => wf.RunAsync(input), workflowOptions), "task");
    }

    /// <summary>Waits for a start of the same task still under way, so the cancellation reaches its workflow.</summary>
    public async Task RequestCancelAsync(MediaTask task, CancellationToken ct)
    {
        await starts.WhenSettled(task.TaskId).WaitAsync(ct);
        var handle = WorkflowCalls.Client(runtime).GetWorkflowHandle<MediaTaskWorkflow>(MediaTaskWorkflow.IdFor(task.TaskId));
        await WorkflowCalls.CallAsync(() => handle.CancelAsync(new() { Rpc = new() { CancellationToken = ct } }), "media task");
    }
}
