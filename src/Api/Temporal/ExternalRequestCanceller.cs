using OpenDesign.Workflows.Contracts;
using OpenDesign.Workflows.Domain.MediaRequests;
using OpenDesign.Workflows.Domain.Runs;

namespace OpenDesign.Workflows.Api.Temporal;

/// <summary>
/// When a run ends, its unfinished external requests are cancelled through their workflows, so each executor hears
/// about it once. If the engine cannot be reached they are cancelled locally instead of being left open.
/// </summary>
public sealed class ExternalRequestCanceller(
    IExternalMediaDispatcher dispatcher,
    Domain.MediaTasks.IMediaTaskDispatcher taskDispatcher,
    Domain.MediaTasks.MediaTaskTransitions taskTransitions,
    Domain.MediaTasks.MediaTaskStore tasks,
    MediaRequestTransitions transitions,
    MediaRequestStore requests,
    RunService runs,
    Domain.OdOptions options,
    ILogger<ExternalRequestCanceller> logger)
{
    public async Task<Run> AfterRunEndAsync(RunEnded ended)
    {
        if (ended.ExternalToCancel.Count == 0 && ended.TasksToCancel.Count == 0) return ended.Run;
        foreach (var request in ended.ExternalToCancel)
        {
            try
            {
                await dispatcher.RequestCancelAsync(request, CancellationToken.None);
            }
            catch (Exception e) when (e is ExternalDispatchException or Domain.DomainException)
            {
                // Ended meanwhile (its run ended before its workflow could start, say): there is no workflow to tell.
                if (MediaRequestStatuses.IsTerminal(requests.Get(request.Id).Status)) continue;
                logger.LogWarning("Could not cancel the workflow of media request {RequestId}: {Reason}", request.Id, e.Message);
                await transitions.EndOnceAsync(request.Id, MediaRequestStatuses.Cancelled,
                    new MediaRequestError("cancelled locally when the run ended; the workflow engine could not be reached", ErrorCodes.TemporalUnavailable));
            }
        }
        foreach (var task in ended.TasksToCancel)
        {
            try
            {
                await taskDispatcher.RequestCancelAsync(task, CancellationToken.None);
            }
            catch (Exception e) when (e is ExternalDispatchException or Domain.DomainException)
            {
                if (MediaTaskStatuses.IsTerminal(tasks.Get(task.TaskId).Status)) continue;
                logger.LogWarning("Could not cancel the workflow of media task {TaskId}: {Reason}", task.TaskId, e.Message);
                await taskTransitions.FailOnceAsync(task.TaskId,
                    new MediaTaskError("cancelled locally when the run ended; the workflow engine could not be reached", Code: ErrorCodes.TemporalUnavailable));
            }
        }
        // Give the workflows a moment to record the cancellations, then close the run's stream after them.
        var deadline = DateTime.UtcNow + options.CallbackWait;
        while (DateTime.UtcNow < deadline && (ended.ExternalToCancel.Any(r => !MediaRequestStatuses.IsTerminal(requests.Get(r.Id).Status))
            || ended.TasksToCancel.Any(t => !MediaTaskStatuses.IsTerminal(tasks.Get(t.TaskId).Status))))
        {
            await Task.Delay(50);
        }
        await runs.AppendEndAsync(ended.Run.Id);
        return ended.Run;
    }
}
