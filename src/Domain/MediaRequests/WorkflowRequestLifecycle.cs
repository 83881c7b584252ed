using OpenDesign.Workflows.Contracts;
using OpenDesign.Workflows.Domain.Events;
using OpenDesign.Workflows.Domain.Files;

namespace OpenDesign.Workflows.Domain.MediaRequests;

/// <summary>
/// External mode: the request belongs to its workflow, so a command becomes a signal (or a cancellation) and the
/// caller waits a little (<see cref="OdOptions.CallbackWait"/>) for the workflow to record the outcome.
/// </summary>
internal sealed class WorkflowRequestLifecycle(
    MediaRequestStore store,
    MediaRequestTransitions transitions,
    FulfillmentService fulfillment,
    IExternalMediaDispatcher dispatcher,
    RunOutcomeWaiter outcomes,
    OdOptions options) : IMediaRequestLifecycle
{
    public async Task<MediaRequestOutcome> CancelAsync(MediaRequest request, CancellationToken ct)
    {
        MediaRequestGuards.RefuseIfEnded(request);
        return await AwaitOutcomeAsync(request, async () =>
        {
            try
            {
                await dispatcher.RequestCancelAsync(request, ct);
            }
            catch (ExternalDispatchException)
            {
                // The engine is out of reach: stop waiting locally, as the spec's best-effort cancel allows.
                await transitions.EndOnceAsync(request.Id, MediaRequestStatuses.Cancelled,
                    new MediaRequestError("cancelled locally; the workflow engine could not be reached to tell the executor", ErrorCodes.TemporalUnavailable));
            }
        }, ct);
    }

    public async Task<MediaRequestOutcome> FailAsync(MediaRequest request, MediaRequestError error, CancellationToken ct)
    {
        MediaRequestGuards.RefuseIfEnded(request);
        return await AwaitOutcomeAsync(request, () => Signal(() => dispatcher.SignalFailedAsync(request, error, ct)), ct);
    }

    public async Task<MediaRequestOutcome> ProgressAsync(MediaRequest request, MediaRequestProgress progress, CancellationToken ct)
    {
        await Signal(() => dispatcher.SignalProgressAsync(request, progress, ct));
        return new MediaRequestOutcome(store.Get(request.Id), Completed: false);
    }

    public async Task<MediaRequestOutcome> FulfillWithUploadAsync(MediaRequest request, Stream body, string? contentType, string? fileName, CancellationToken ct)
    {
        MediaRequestGuards.RefuseIfEndedUnfulfilled(request);
        return await FulfillWithStagedAsync(request, await fulfillment.StageAsync(request, body, contentType, fileName, ct), ct);
    }

    public async Task<MediaRequestOutcome> FulfillWithProjectFileAsync(MediaRequest request, string path, CancellationToken ct)
    {
        MediaRequestGuards.RefuseIfEndedUnfulfilled(request);
        return await FulfillWithStagedAsync(request, await fulfillment.StageProjectFileAsync(request, path, ct), ct);
    }

    public async Task<MediaRequestOutcome> FulfillWithStagedAsync(MediaRequest request, StagedFile staged, CancellationToken ct)
    {
        var current = store.Get(request.Id);
        if (MediaRequestStatuses.IsTerminal(current.Status))
        {
            // Same bytes again: answered idempotently from the record; anything else after the end is a conflict.
            fulfillment.Discard(staged);
            if (current.FulfilledFile?.Sha256 == staged.Sha256) return Done(current);
            throw new DomainException(DomainErrorKind.Conflict, ErrorCodes.MediaRequestTerminal, $"media request is {current.Status}",
                new Dictionary<string, object?> { ["status"] = current.Status });
        }
        MediaRequestOutcome outcome;
        try
        {
            outcome = await AwaitOutcomeAsync(request, () => Signal(() => dispatcher.SignalFulfilledAsync(request, staged, ct)), ct);
        }
        catch
        {
            fulfillment.Discard(staged);
            throw;
        }
        if (outcome.Completed && outcome.Request.FulfilledFile?.Sha256 != staged.Sha256)
        {
            // Another fulfilment (or a cancel) won while these bytes waited: they will never be committed.
            fulfillment.Discard(staged);
            throw new DomainException(DomainErrorKind.Conflict, ErrorCodes.MediaRequestTerminal, $"media request is {outcome.Request.Status} with other bytes",
                new Dictionary<string, object?> { ["status"] = outcome.Request.Status });
        }
        return outcome;
    }

    /// <summary>Acts, then waits (up to CallbackWait) for the request to reach a terminal state, watching its run's events.</summary>
    private async Task<MediaRequestOutcome> AwaitOutcomeAsync(MediaRequest request, Func<Task> act, CancellationToken ct)
    {
        var completed = await outcomes.WaitAsync(request.RunId, () => MediaRequestStatuses.IsTerminal(store.Get(request.Id).Status), options.CallbackWait, act, ct);
        return new MediaRequestOutcome(store.Get(request.Id), completed);
    }

    private static async Task Signal(Func<Task> signal)
    {
        try
        {
            await signal();
        }
        catch (ExternalDispatchException e)
        {
            throw DomainException.EngineUnavailable(e.Message);
        }
    }

    private static MediaRequestOutcome Done(MediaRequest request) => new(request, Completed: true);
}
