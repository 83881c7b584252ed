using OpenDesign.Workflows.Contracts;

namespace OpenDesign.Workflows.Domain.MediaRequests;

/// <summary>
/// What one mode does with a stored media request when someone cancels, fails, reports on or fulfils it. Chosen once
/// per request from the mode it was made in (<see cref="MediaRequestCommands"/>): request-only requests change here
/// and now (<see cref="StoredRequestLifecycle"/>); external ones belong to their workflow (<see cref="WorkflowRequestLifecycle"/>).
/// </summary>
internal interface IMediaRequestLifecycle
{
    Task<MediaRequestOutcome> CancelAsync(MediaRequest request, CancellationToken ct);

    Task<MediaRequestOutcome> FailAsync(MediaRequest request, MediaRequestError error, CancellationToken ct);

    Task<MediaRequestOutcome> ProgressAsync(MediaRequest request, MediaRequestProgress progress, CancellationToken ct);

    Task<MediaRequestOutcome> FulfillWithUploadAsync(MediaRequest request, Stream body, string? contentType, string? fileName, CancellationToken ct);

    Task<MediaRequestOutcome> FulfillWithProjectFileAsync(MediaRequest request, string path, CancellationToken ct);

    /// <summary>Fulfils with bytes already staged (a downloaded result).</summary>
    Task<MediaRequestOutcome> FulfillWithStagedAsync(MediaRequest request, StagedFile staged, CancellationToken ct);
}
