using Microsoft.Extensions.Logging;
using OpenDesign.Workflows.Contracts;
using OpenDesign.Workflows.Domain.Events;
using OpenDesign.Workflows.Domain.MediaRequests;
using OpenDesign.Workflows.Domain.MediaTasks;

namespace OpenDesign.Workflows.Domain.Runs;

/// <summary>
/// Ends a run, whatever its mode: the run-end transaction (which ends request-only work itself), then the work that
/// belongs to a workflow (external requests, media tasks) is cancelled through the engine, so each executor or provider
/// hears of it once, and the run's <c>end</c> event follows their last events. If the engine cannot be reached, that
/// work is ended locally instead of being left open.
/// </summary>
public sealed class RunEnding(
    RunService runs,
    IExternalMediaDispatcher requestWorkflows,
    IMediaTaskDispatcher taskWorkflows,
    MediaRequestTransitions requestTransitions,
    MediaRequestStore requests,
    MediaTaskTransitions taskTransitions,
    MediaTaskStore tasks,
    RunOutcomeWaiter outcomes,
    OdOptions options,
    ILogger<RunEnding> logger)
{
    /// <summary>Ends the run (with what became of its agent process, when it had one) and then its open work.</summary>
    public async Task<Run> EndAsync(string runId, string status, AgentExit? agent = null) =>
        await AfterEndAsync(await runs.EndAsync(runId, status, agent));

    /// <summary>
    /// The second half of a run's end, for a run already ended in storage: its external requests and media tasks are
    /// cancelled through their workflows, and the run's <c>end</c> event is written once they have settled.
    /// </summary>
    public async Task<Run> AfterEndAsync(RunEnded ended)
    {
        if (ended.ExternalToCancel.Count == 0 && ended.TasksToCancel.Count == 0) return ended.Run;
        // Give the workflows a moment to record the cancellations, then close the run's stream after them.
        await outcomes.WaitAsync(ended.Run.Id, () => IsSettled(ended), options.CallbackWait, () => CancelOpenWorkAsync(ended), CancellationToken.None);
        await runs.AppendEndAsync(ended.Run.Id);
        return ended.Run;
    }

    private async Task CancelOpenWorkAsync(RunEnded ended)
    {
        foreach (var request in ended.ExternalToCancel)
        {
            try
            {
                await requestWorkflows.RequestCancelAsync(request, CancellationToken.None);
            }
            catch (Exception e) when (e is ExternalDispatchException or DomainException)
            {
                // Ended meanwhile (its run ended before its workflow could start, say): there is no workflow to tell.
                if (MediaRequestStatuses.IsTerminal(requests.Get(request.Id).Status)) continue;
                logger.LogWarning("Could not cancel the workflow of media request {RequestId}: {Reason}", request.Id, e.Message);
                await requestTransitions.EndOnceAsync(request.Id, MediaRequestStatuses.Cancelled,
                    new MediaRequestError("cancelled locally when the run ended; the workflow engine could not be reached", ErrorCodes.TemporalUnavailable));
            }
        }
        foreach (var task in ended.TasksToCancel)
        {
            try
            {
                await taskWorkflows.RequestCancelAsync(task, CancellationToken.None);
            }
            catch (Exception e) when (e is ExternalDispatchException or DomainException)
            {
                if (MediaTaskStatuses.IsTerminal(tasks.Get(task.TaskId).Status)) continue;
                logger.LogWarning("Could not cancel the workflow of media task {TaskId}: {Reason}", task.TaskId, e.Message);
                await taskTransitions.FailOnceAsync(task.TaskId,
                    new MediaTaskError("cancelled locally when the run ended; the workflow engine could not be reached", Code: ErrorCodes.TemporalUnavailable));
            }
        }
    }

    private bool IsSettled(RunEnded ended) =>
        ended.ExternalToCancel.All(r => MediaRequestStatuses.IsTerminal(requests.Get(r.Id).Status))
        && ended.TasksToCancel.All(t => MediaTaskStatuses.IsTerminal(tasks.Get(t.TaskId).Status));
}
