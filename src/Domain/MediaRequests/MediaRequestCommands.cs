using OpenDesign.Workflows.Contracts;
using OpenDesign.Workflows.Domain.Events;
using OpenDesign.Workflows.Domain.Files;

namespace OpenDesign.Workflows.Domain.MediaRequests;

/// <summary>
/// Cancel, fail, progress and fulfil, routed by the request's mode. A request-only request changes here and now; an
/// external one belongs to its workflow, so the command becomes a signal (or a cancellation) and the caller waits a
/// little for the workflow to record the outcome.
/// </summary>
public sealed class MediaRequestCommands(
    MediaRequestStore store,
    MediaRequestTransitions transitions,
    FulfillmentService fulfillment,
    IResultDownloader downloader,
    IExternalMediaDispatcher dispatcher,
    RunOutcomeWaiter outcomes,
    OdOptions options)
{
    public async Task<MediaRequestOutcome> CancelAsync(string id, CancellationToken ct)
    {
        var request = store.Get(id);
        if (!IsExternal(request)) return Done(await transitions.CancelAsync(id));
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
                await transitions.EndOnceAsync(id, MediaRequestStatuses.Cancelled,
                    new MediaRequestError("cancelled locally; the workflow engine could not be reached to tell the executor", ErrorCodes.TemporalUnavailable));
            }
        }, ct);
    }

    public async Task<MediaRequestOutcome> FailAsync(string id, MediaRequestError error, CancellationToken ct)
    {
        var request = store.Get(id);
        if (!IsExternal(request)) return Done(await transitions.FailAsync(id, error));
        MediaRequestGuards.RefuseIfEnded(request);
        return await AwaitOutcomeAsync(request, () => Signal(() => dispatcher.SignalFailedAsync(request, error, ct)), ct);
    }

    public async Task<MediaRequestOutcome> ProgressAsync(string id, MediaRequestProgress progress, CancellationToken ct)
    {
        var request = store.Get(id);
        MediaRequestGuards.RefuseIfEnded(request);
        if (!IsExternal(request))
        {
            return Done(await transitions.RecordProgressAsync(id, $"{id}:progress:{Guid.NewGuid():N}", progress.Message, progress.Percent));
        }
        await Signal(() => dispatcher.SignalProgressAsync(request, progress, ct));
        return new MediaRequestOutcome(store.Get(id), Completed: false);
    }

    public async Task<MediaRequestOutcome> FulfillWithUploadAsync(string id, Stream body, string? contentType, string? fileName, CancellationToken ct)
    {
        var request = store.Get(id);
        if (!IsExternal(request)) return Done((await fulfillment.FulfillWithUploadAsync(id, body, contentType, fileName, ct)).Request);
        MediaRequestGuards.RefuseIfEndedUnfulfilled(request);
        return await FulfillExternalAsync(request, await fulfillment.StageAsync(request, body, contentType, fileName, ct), ct);
    }

    public async Task<MediaRequestOutcome> FulfillWithProjectFileAsync(string id, string path, CancellationToken ct)
    {
        var request = store.Get(id);
        if (!IsExternal(request)) return Done((await fulfillment.FulfillWithProjectFileAsync(id, path, ct)).Request);
        MediaRequestGuards.RefuseIfEndedUnfulfilled(request);
        return await FulfillExternalAsync(request, await fulfillment.StageProjectFileAsync(request, path, ct), ct);
    }

    /// <summary>Downloads the bytes an executor points at (size-limited, type-checked) and fulfils with them.</summary>
    public async Task<MediaRequestOutcome> FulfillFromUrlAsync(string id, string url, CancellationToken ct)
    {
        var request = store.Get(id);
        MediaRequestGuards.RefuseIfEndedUnfulfilled(request);
        var staged = await downloader.DownloadAsync(request, url, ct);
        if (IsExternal(request)) return await FulfillExternalAsync(request, staged, ct);
        return Done((await fulfillment.CommitStagedAsync(id, staged)).Request);
    }

    private async Task<MediaRequestOutcome> FulfillExternalAsync(MediaRequest request, StagedFile staged, CancellationToken ct)
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
            throw new DomainException(DomainErrorKind.Unavailable, ErrorCodes.TemporalUnavailable, e.Message);
        }
    }

    private static bool IsExternal(MediaRequest request) => request.PolicyMode == MediaExecutionModes.External;

    private static MediaRequestOutcome Done(MediaRequest request) => new(request, Completed: true);
}

/// <summary>The request after a command; <see cref="Completed"/> is false when its workflow has not recorded the outcome yet.</summary>
public sealed record MediaRequestOutcome(MediaRequest Request, bool Completed);
