namespace OpenDesign.Workflows.Contracts;

/// <summary>
/// What the service posts to an external media executor (the spec's submit body). The executor answers with
/// <see cref="ExecutorSubmitResponse"/> and later calls back with the bytes, a failure or progress, presenting
/// <see cref="ExecutorCallback.Token"/> as a bearer.
/// </summary>
public sealed record ExecutorSubmitRequest(
    string RequestId,
    string RunId,
    string ProjectId,
    string Surface,
    string? Model,
    string Prompt,
    string Output,
    ExecutorConstraints Constraints,
    IReadOnlyList<InputRef> InputRefs,
    ExecutorCallback Callback);

public sealed record ExecutorConstraints(
    string? Aspect = null,
    double? Length = null,
    double? Duration = null,
    string? AudioKind = null,
    string? Voice = null,
    string? Language = null);

public sealed record ExecutorCallback(string FulfillUrl, string FailUrl, string ProgressUrl, string Token);

public sealed record ExecutorSubmitResponse(
    string? ExternalRequestId = null,
    string? Status = null,
    string? StatusUrl = null,
    string? ExpectedMime = null);

/// <summary>What a <c>statusUrl</c> answers when polled. <see cref="Result"/> names the bytes once fulfilled.</summary>
public sealed record ExecutorStatusResponse(
    string Status,
    string? Message = null,
    double? Percent = null,
    MediaRequestError? Error = null,
    ExecutorResult? Result = null);

public sealed record ExecutorResult(string Url, string? Mime = null);

/// <summary>Posted to the executor's <c>cancelEndpoint</c>, with the same Idempotency-Key as the submission.</summary>
public sealed record ExecutorCancelRequest(string RequestId, string? ExternalRequestId, string Reason);

/// <summary>An executor's progress callback.</summary>
public sealed record MediaRequestProgress(string? Message = null, double? Percent = null);

public static class ExecutorStatuses
{
    public const string Submitted = "submitted";
    public const string Running = "running";
    public const string Fulfilled = "fulfilled";
    public const string Failed = "failed";
    public const string Cancelled = "cancelled";
}
