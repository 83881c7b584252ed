using OpenDesign.Workflows.Contracts;
using Temporalio.Activities;

namespace OpenDesign.Workflows.Workflows;

/// <summary>
/// Every side effect of the media-task workflow. Provider calls fail with <see cref="MediaTaskFailureTypes"/> error
/// types; local changes are idempotent, so a retried activity neither repeats a change nor appends a second event.
/// </summary>
public interface IMediaTaskActivities
{
    /// <summary>Starts the provider job (the task becomes running); a finished job's bytes come back staged.</summary>
    [Activity("StartMediaTask")]
    Task<ProviderOutcome> StartAsync(string taskId);

    /// <summary>Asks the provider about a pending job; a finished job's bytes come back staged.</summary>
    [Activity("PollMediaTask")]
    Task<ProviderOutcome> PollAsync(string taskId, string jobId);

    /// <summary>Appends a progress line, once per sequence number.</summary>
    [Activity("RecordMediaTaskProgress")]
    Task RecordProgressAsync(string taskId, int sequence, string line);

    /// <summary>Moves staged bytes into the project (no overwrite) and marks the task done. Returns the task's status afterwards.</summary>
    [Activity("CommitMediaTaskFile")]
    Task<string> CommitAsync(string taskId, StagedFile file);

    /// <summary>Marks the task failed unless it already ended. Returns the task's status afterwards.</summary>
    [Activity("FailMediaTask")]
    Task<string> FailAsync(string taskId, MediaTaskError error);

    /// <summary>Best-effort cancel of the provider's job.</summary>
    [Activity("CancelMediaTaskAtProvider")]
    Task CancelAtProviderAsync(string taskId, string jobId);
}

/// <summary>A provider step as history records it: either staged bytes, or a job still pending.</summary>
public sealed record ProviderOutcome(StagedFile? File, string? JobId = null, string? Progress = null, double? Percent = null, TimeSpan? PollAfter = null);

/// <summary>The error types of failed provider activities; the non-retryable ones end the task at once.</summary>
public static class MediaTaskFailureTypes
{
    /// <summary>The provider refused the job (a 4xx other than 429, a failed or cancelled job). Not retried.</summary>
    public const string Rejected = "ProviderRejected";
    /// <summary>The provider has no credentials. Not retried.</summary>
    public const string NotConfigured = "ProviderNotConfigured";
    /// <summary>429: retried, after the provider's Retry-After.</summary>
    public const string RateLimited = "ProviderRateLimited";
    /// <summary>5xx, timeouts, broken connections: retried.</summary>
    public const string Transient = "ProviderTransient";
    /// <summary>The bytes cannot be used (wrong kind, too large, empty). Not retried.</summary>
    public const string Unusable = "ProviderResultUnusable";
}
