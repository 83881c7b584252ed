using OpenDesign.Workflows.Contracts;
using OpenDesign.Workflows.Domain.Events;
using OpenDesign.Workflows.Domain.Files;

namespace OpenDesign.Workflows.Domain.MediaRequests;

/// <summary>
/// Cancel, fail, progress and fulfil, each handed to the lifecycle of the mode the request was made in, chosen once
/// here: request-only requests change at once, external ones through their workflow. The endpoints never ask which.
/// </summary>
public sealed class MediaRequestCommands
{
    private readonly MediaRequestStore _store;
    private readonly IResultDownloader _downloader;
    private readonly IMediaRequestLifecycle _stored;
    private readonly IMediaRequestLifecycle _workflows;

    public MediaRequestCommands(
        MediaRequestStore store,
        MediaRequestTransitions transitions,
        FulfillmentService fulfillment,
        IResultDownloader downloader,
        IExternalMediaDispatcher dispatcher,
        RunOutcomeWaiter outcomes,
        OdOptions options)
    {
        _store = store;
        _downloader = downloader;
        _stored = new StoredRequestLifecycle(transitions, fulfillment);
        _workflows = new WorkflowRequestLifecycle(store, transitions, fulfillment, dispatcher, outcomes, options);
    }

    public Task<MediaRequestOutcome> CancelAsync(string id, CancellationToken ct)
    {
        var request = _store.Get(id);
        return LifecycleOf(request).CancelAsync(request, ct);
    }

    public Task<MediaRequestOutcome> FailAsync(string id, MediaRequestError error, CancellationToken ct)
    {
        var request = _store.Get(id);
        return LifecycleOf(request).FailAsync(request, error, ct);
    }

    public Task<MediaRequestOutcome> ProgressAsync(string id, MediaRequestProgress progress, CancellationToken ct)
    {
        var request = _store.Get(id);
        MediaRequestGuards.RefuseIfEnded(request);
        return LifecycleOf(request).ProgressAsync(request, progress, ct);
    }

    public Task<MediaRequestOutcome> FulfillWithUploadAsync(string id, Stream body, string? contentType, string? fileName, CancellationToken ct)
    {
        var request = _store.Get(id);
        return LifecycleOf(request).FulfillWithUploadAsync(request, body, contentType, fileName, ct);
    }

    public Task<MediaRequestOutcome> FulfillWithProjectFileAsync(string id, string path, CancellationToken ct)
    {
        var request = _store.Get(id);
        return LifecycleOf(request).FulfillWithProjectFileAsync(request, path, ct);
    }

    /// <summary>Downloads the bytes an executor points at (size-limited, type-checked) and fulfils with them.</summary>
    public async Task<MediaRequestOutcome> FulfillFromUrlAsync(string id, string url, CancellationToken ct)
    {
        var request = _store.Get(id);
        MediaRequestGuards.RefuseIfEndedUnfulfilled(request);
        var staged = await _downloader.DownloadAsync(request, url, ct);
        return await LifecycleOf(request).FulfillWithStagedAsync(request, staged, ct);
    }

    private IMediaRequestLifecycle LifecycleOf(MediaRequest request) =>
        request.PolicyMode == MediaExecutionModes.External ? _workflows : _stored;
}

/// <summary>The request after a command; <see cref="Completed"/> is false when its workflow has not recorded the outcome yet.</summary>
public sealed record MediaRequestOutcome(MediaRequest Request, bool Completed);
