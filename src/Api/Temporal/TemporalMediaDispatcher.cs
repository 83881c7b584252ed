using OpenDesign.Workflows.Contracts;
using OpenDesign.Workflows.Domain;
using OpenDesign.Workflows.Domain.MediaRequests;
using OpenDesign.Workflows.Workflows;
using Temporalio.Client;

namespace OpenDesign.Workflows.Api.Temporal;

/// <summary>
/// The client side of external mode: one workflow per request, id <c>media-request-&lt;requestId&gt;</c>, started and
/// signalled through <see cref="WorkflowCalls"/> (a repeated start returns the running workflow, a finished one is
/// never started again; operators see a summary, a memo and, where the namespace has them, search attributes).
/// </summary>
public sealed class TemporalMediaDispatcher(TemporalRuntime runtime, WorkflowStarts starts, OdOptions options) : IExternalMediaDispatcher
{
    public bool IsAvailable => runtime.Client is not null;

    public Task StartAsync(MediaRequest request, CancellationToken ct)
    {
        var client = WorkflowCalls.Client(runtime);
        var input = new ExternalMediaRequestInput(request.Id, request.RunId, request.ProjectId, options.ExternalDeadline, options.StatusPollInterval, runtime.HasSearchAttributes);
        var memo = new Dictionary<string, object>
        {
            ["runId"] = request.RunId,
            ["projectId"] = request.ProjectId,
            ["surface"] = request.Surface,
            ["model"] = request.Model ?? "",
        };
        var workflowOptions = WorkflowCalls.StartOptions(runtime, ExternalMediaRequestWorkflow.IdFor(request.Id),
            $"{request.Surface} · {request.Model ?? "any model"} · {request.RunId}", memo, request.Prompt,
            (request.RunId, request.ProjectId, request.Surface, request.Status), ct);
        return WorkflowCalls.StartAsync(() => client.StartWorkflowAsync((ExternalMediaRequestWorkflow wf) => wf.RunAsync(input), workflowOptions), "request");
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

    private Task Call(MediaRequest request, Func<WorkflowHandle<ExternalMediaRequestWorkflow>, Task> call)
    {
        var handle = WorkflowCalls.Client(runtime).GetWorkflowHandle<ExternalMediaRequestWorkflow>(ExternalMediaRequestWorkflow.IdFor(request.Id));
        return WorkflowCalls.CallAsync(() => call(handle), "media request");
    }
}
