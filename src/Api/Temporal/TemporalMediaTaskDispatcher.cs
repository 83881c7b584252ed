using OpenDesign.Workflows.Contracts;
using OpenDesign.Workflows.Domain;
using OpenDesign.Workflows.Domain.MediaRequests;
using OpenDesign.Workflows.Domain.MediaTasks;
using OpenDesign.Workflows.Workflows;
using Temporalio.Api.Enums.V1;
using Temporalio.Client;
using Temporalio.Common;
using Temporalio.Exceptions;

namespace OpenDesign.Workflows.Api.Temporal;

/// <summary>
/// The client side of enabled mode: one workflow per media task, id <c>media-task-&lt;taskId&gt;</c>, started the way
/// external requests are (a repeated start finds the running workflow; a finished one is never started again), with
/// a summary, a memo and (where the namespace has them) the <c>Od*</c> search attributes.
/// </summary>
public sealed class TemporalMediaTaskDispatcher(TemporalRuntime runtime, WorkflowStarts starts, OdOptions options) : IMediaTaskDispatcher
{
    private const int PromptSummaryLength = 200;

    public bool IsAvailable => runtime.Client is not null;

    public async Task StartAsync(MediaTask task, CancellationToken ct)
    {
        var client = Client();
        var input = new MediaTaskInput(task.TaskId, task.RunId, task.ProjectId, options.MediaProviderAttempts, options.MediaProviderRetryInterval,
            options.MediaPollInterval, runtime.HasSearchAttributes);
        var workflowOptions = new WorkflowOptions(MediaTaskWorkflow.IdFor(task.TaskId), runtime.Options.TaskQueue)
        {
            IdReusePolicy = WorkflowIdReusePolicy.RejectDuplicate,
            IdConflictPolicy = WorkflowIdConflictPolicy.UseExisting,
            StaticSummary = $"{task.Surface} · {task.Model} ({task.ProviderId}) · {task.RunId ?? task.ProjectId}",
            Memo = new Dictionary<string, object>
            {
                ["runId"] = task.RunId ?? "",
                ["projectId"] = task.ProjectId,
                ["surface"] = task.Surface,
                ["model"] = task.Model,
                ["provider"] = task.ProviderId,
                ["prompt"] = task.Prompt.Length > PromptSummaryLength ? task.Prompt[..PromptSummaryLength] + "…" : task.Prompt,
            },
            Rpc = new RpcOptions { CancellationToken = ct },
        };
        if (runtime.HasSearchAttributes)
        {
            workflowOptions.TypedSearchAttributes = new SearchAttributeCollection.Builder()
                .Set(OdSearchAttributes.RunId, task.RunId ?? "")
                .Set(OdSearchAttributes.ProjectId, task.ProjectId)
                .Set(OdSearchAttributes.Surface, task.Surface)
                .Set(OdSearchAttributes.Status, task.Status)
                .ToSearchAttributeCollection();
        }
        try
        {
            await client.StartWorkflowAsync((MediaTaskWorkflow wf) => wf.RunAsync(input), workflowOptions);
        }
        catch (WorkflowAlreadyStartedException)
        {
            // The task's workflow already ran: nothing to start.
        }
        catch (Exception e) when (e is RpcException or InvalidOperationException or TimeoutException)
        {
            throw new ExternalDispatchException($"the workflow engine (Temporal) could not start the task: {e.Message}", e);
        }
    }

    /// <summary>Waits for a start of the same task still under way, so the cancellation reaches its workflow.</summary>
    public async Task RequestCancelAsync(MediaTask task, CancellationToken ct)
    {
        await starts.WhenSettled(task.TaskId).WaitAsync(ct);
        var handle = Client().GetWorkflowHandle<MediaTaskWorkflow>(MediaTaskWorkflow.IdFor(task.TaskId));
        try
        {
            await handle.CancelAsync(new() { Rpc = new() { CancellationToken = ct } });
        }
        catch (RpcException e) when (e.Code == RpcException.StatusCode.NotFound)
        {
            throw new DomainException(DomainErrorKind.Conflict, ErrorCodes.MediaRequestTerminal, "the media task's workflow has already finished");
        }
        catch (Exception e) when (e is RpcException or InvalidOperationException or TimeoutException)
        {
            throw new ExternalDispatchException($"the workflow engine (Temporal) could not be reached: {e.Message}", e);
        }
    }

    private ITemporalClient Client() =>
        runtime.Client ?? throw new ExternalDispatchException($"the workflow engine (Temporal) is not available: {runtime.Problem}");
}
