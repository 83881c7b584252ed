using OpenDesign.Workflows.Contracts;
using Temporalio.Activities;

namespace OpenDesign.Workflows.Workflows;

/// <summary>
/// Every side effect of the external-media workflow. Each one is idempotent: a retried activity finds its change
/// already made and neither repeats it nor appends a second event.
/// </summary>
public interface IMediaRequestActivities
{
    /// <summary>Posts the request to the run's executor and marks it submitted; a refusal (4xx) marks it failed.</summary>
    [Activity("SubmitMediaRequest")]
    Task<SubmitOutcome> SubmitAsync(string requestId);

    [Activity("RecordMediaRequestProgress")]
    Task RecordProgressAsync(string requestId, int sequence, string? message, double? percent);

    /// <summary>Moves staged bytes into the project and marks the request fulfilled. Returns the request's status afterwards.</summary>
    [Activity("CommitMediaRequestFile")]
    Task<string> CommitAsync(string requestId, StagedFile file);

    /// <summary>Marks the request failed unless it already ended. Returns the request's status afterwards.</summary>
    [Activity("FailMediaRequest")]
    Task<string> FailAsync(string requestId, MediaRequestError error);

    /// <summary>Tells the executor to stop, when the policy declared a cancel endpoint; throws when the executor could not be told.</summary>
    [Activity("CancelMediaRequestAtExecutor")]
    Task CancelAtExecutorAsync(string requestId, string reason);

    /// <summary>Marks the request cancelled unless it already ended. Returns the request's status afterwards.</summary>
    [Activity("MarkMediaRequestCancelled")]
    Task<string> MarkCancelledAsync(string requestId, MediaRequestError? cancelError);

    /// <summary>Asks the executor's statusUrl where the request stands; a fulfilled answer's bytes come back staged.</summary>
    [Activity("PollMediaRequestStatus")]
    Task<PollOutcome> PollStatusAsync(string requestId, string statusUrl);
}

public sealed record SubmitOutcome(bool Accepted, string? StatusUrl = null);

public sealed record PollOutcome(string Status, string? Message = null, double? Percent = null, MediaRequestError? Error = null, StagedFile? File = null);
