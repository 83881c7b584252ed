using OpenDesign.Workflows.Contracts;
using OpenDesign.Workflows.Domain;
using OpenDesign.Workflows.Domain.MediaRequests;
using OpenDesign.Workflows.Workflows;
using Temporalio.Api.Enums.V1;
using Temporalio.Client;
using Temporalio.Common;
using Temporalio.Exceptions;

namespace OpenDesign.Workflows.Api.Temporal;

/// <summary>
/// The client side of external mode: one workflow per request, id <c>media-request-&lt;requestId&gt;</c>, started so a
/// repeated start returns the running workflow and a finished one is never started again. Operators see a summary,
/// a memo and (where the namespace has them) search attributes.
/// </summary>
public sealed class TemporalMediaDispatcher(TemporalRuntime runtime, WorkflowStarts starts, OdOptions options) : IExternalMediaDispatcher
{
    private const int PromptSummaryLength = 200;

    public bool IsAvailable => runtime.Client is not null;

    public async Task StartAsync(MediaRequest request, CancellationToken ct)
    {
        var client = Client();
        var input = new ExternalMediaRequestInput(request.Id, request.RunId, request.ProjectId, options.ExternalDeadline, options.StatusPollInterval, runtime.HasSearchAttributes);
        var workflowOptions = new WorkflowOptions(ExternalMediaRequestWorkflow.IdFor(request.Id), runtime.Options.TaskQueue)
        {
            IdReusePolicy = WorkflowIdReusePolicy.RejectDuplicate,
            IdConflictPolicy = WorkflowIdConflictPolicy.UseExisting,
            StaticSummary = $"{request.Surface} · {request.Model ?? "any model"} · {request.RunId}",
            Memo = new Dictionary<string, object>
            {
                ["runId"] = request.RunId,
                ["projectId"] = request.ProjectId,
                ["surface"] = request.Surface,
                ["model"] = request.Model ?? "",
                ["prompt"] = request.Prompt.Length > PromptSummaryLength ? request.Prompt[..PromptSummaryLength] + "…" : request.Prompt,
            },
            Rpc = new RpcOptions { CancellationToken = ct },
        };
        if (runtime.HasSearchAttributes)
        {
            workflowOptions.TypedSearchAttributes = new SearchAttributeCollection.Builder()
                .Set(OdSearchAttributes.RunId, request.RunId)
                .Set(OdSearchAttributes.ProjectId, request.ProjectId)
                .Set(OdSearchAttributes.Surface, request.Surface)
                .Set(OdSearchAttributes.Status, request.Status)
                .ToSearchAttributeCollection();
        }
        try
        {
            await client.StartWorkflowAsync((ExternalMediaRequestWorkflow wf) => wf.RunAsync(input), workflowOptions);
        }
        catch (WorkflowAlreadyStartedException)
        {
            // Reuse policy refused a second run for a request whose workflow already finished: nothing to start.
        }
        catch (Exception e) when (e is RpcException or InvalidOperationException or TimeoutException)
        {
            throw new ExternalDispatchException($"the workflow engine (Temporal) could not start the request: {e.Message}", e);
        }
    }

    public Task SignalFulfilledAsync(MediaRequest request, StagedFile file, CancellationToken ct) =>
        Call(request, h => h.SignalAsync(wf => wf.FulfilledAsync(new FulfilledSignal(file)), new() { Rpc = new() { CancellationToken = ct } }));

    public Task SignalFailedAsync(MediaRequest request, MediaRequestError error, CancellationToken ct) =>
        Call(request, h => h.SignalAsync(wf => wf.FailedAsync(new FailedSignal(error)), new() { Rpc = new() { CancellationToken = ct } }));

    public Task SignalProgressAsync(MediaRequest request, MediaRequestProgress progress, CancellationToken ct) =>
        Call(request, h => h.SignalAsync(wf => wf.ProgressAsync(new ProgressSignal(progress.Message, progress.Percent)), new() { Rpc = new() { CancellationToken = ct } }));

    /// <summary>
    /// Waits for a start of the same request still under way (the request is visible before its workflow exists), so
    /// the cancellation reaches the workflow instead of finding none and leaving the start to run unopposed.
    /// </summary>
    public async Task RequestCancelAsync(MediaRequest request, CancellationToken ct)
    {
        await starts.WhenSettled(request.Id).WaitAsync(ct);
        await Call(request, h => h.CancelAsync(new() { Rpc = new() { CancellationToken = ct } }));
    }

    private async Task Call(MediaRequest request, Func<WorkflowHandle<ExternalMediaRequestWorkflow>, Task> call)
    {
        var handle = Client().GetWorkflowHandle<ExternalMediaRequestWorkflow>(ExternalMediaRequestWorkflow.IdFor(request.Id));
        try
        {
            await call(handle);
        }
        catch (RpcException e) when (e.Code == RpcException.StatusCode.NotFound)
        {
            throw new DomainException(DomainErrorKind.Conflict, ErrorCodes.MediaRequestTerminal, "the media request's workflow has already finished");
        }
        catch (Exception e) when (e is RpcException or InvalidOperationException or TimeoutException)
        {
            throw new ExternalDispatchException($"the workflow engine (Temporal) could not be reached: {e.Message}", e);
        }
    }

    private ITemporalClient Client() =>
        runtime.Client ?? throw new ExternalDispatchException($"the workflow engine (Temporal) is not available: {runtime.Problem}");
}
