using OpenDesign.Workflows.Contracts;
using OpenDesign.Workflows.Domain.Files;

namespace OpenDesign.Workflows.Domain.MediaRequests;

/// <summary>Request-only mode: the request is only a record, so every command changes it here and now.</summary>
internal sealed class StoredRequestLifecycle(MediaRequestTransitions transitions, FulfillmentService fulfillment) : IMediaRequestLifecycle
{
    public async Task<MediaRequestOutcome> CancelAsync(MediaRequest request, CancellationToken ct) => Done(await transitions.CancelAsync(request.Id));

    public async Task<MediaRequestOutcome> FailAsync(MediaRequest request, MediaRequestError error, CancellationToken ct) =>
        Done(await transitions.FailAsync(request.Id, error));

    public async Task<MediaRequestOutcome> ProgressAsync(MediaRequest request, MediaRequestProgress progress, CancellationToken ct) =>
        Done(await transitions.RecordProgressAsync(request.Id, $"{request.Id}:progress:{Guid.NewGuid():N}", progress.Message, progress.Percent));

    public async Task<MediaRequestOutcome> FulfillWithUploadAsync(MediaRequest request, Stream body, string? contentType, string? fileName, CancellationToken ct) =>
        Done((await fulfillment.FulfillWithUploadAsync(request.Id, body, contentType, fileName, ct)).Request);

    public async Task<MediaRequestOutcome> FulfillWithProjectFileAsync(MediaRequest request, string path, CancellationToken ct) =>
        Done((await fulfillment.FulfillWithProjectFileAsync(request.Id, path, ct)).Request);

    public async Task<MediaRequestOutcome> FulfillWithStagedAsync(MediaRequest request, StagedFile staged, CancellationToken ct) =>
        Done((await fulfillment.CommitStagedAsync(request.Id, staged)).Request);

    private static MediaRequestOutcome Done(MediaRequest request) => new(request, Completed: true);
}
