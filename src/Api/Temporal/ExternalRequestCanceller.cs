using OpenDesign.Workflows.Contracts;
using OpenDesign.Workflows.Domain.MediaRequests;
using OpenDesign.Workflows.Domain.Runs;

namespace OpenDesign.Workflows.Api.Temporal;

/// <summary>
/// When a run ends, its unfinished external requests are cancelled through their workflows, so each executor hears
/// about it once. If the engine cannot be reached they are cancelled locally instead of being left open.
/// </summary>
public sealed class ExternalRequestCanceller(IExternalMediaDispatcher dispatcher, MediaRequestService transitions, ILogger<ExternalRequestCanceller> logger)
{
    public async Task<Run> AfterRunEndAsync(RunEnded ended)
    {
        foreach (var request in ended.ExternalToCancel)
        {
            try
            {
                await dispatcher.RequestCancelAsync(request, CancellationToken.None);
            }
            catch (Exception e) when (e is ExternalDispatchException or Domain.DomainException)
            {
                logger.LogWarning("Could not cancel the workflow of media request {RequestId}: {Reason}", request.Id, e.Message);
                await transitions.EndOnceAsync(request.Id, MediaRequestStatuses.Cancelled,
                    new MediaRequestError("cancelled locally when the run ended; the workflow engine could not be reached", ErrorCodes.TemporalUnavailable));
            }
        }
        return ended.Run;
    }
}
