using OpenDesign.Workflows.Contracts;
using OpenDesign.Workflows.Workflows;
using Temporalio.Workflows;

namespace OpenDesign.Workflows.Api.Tests.External;

// Test-only variants of a media-request workflow, one type name, to show how a change to the product's workflow is
// shipped without breaking runs already in flight: version 2 records a "submitted" progress step between submitting
// and ending, guarded by Workflow.Patched; the unguarded copy is the mistake the guard prevents.
internal static class VersionedMediaRequest
{
    public const string Name = "VersionedMediaRequest";
    public const string PatchId = "record-submitted-progress";

    public static readonly ActivityOptions Options = new() { StartToCloseTimeout = TimeSpan.FromSeconds(10) };

    public static readonly MediaRequestError Ended = new("ended by the versioning test", ErrorCodes.ExecutorRejected);
}

[Workflow(VersionedMediaRequest.Name)]
public sealed class VersionedMediaRequestV1
{
    [WorkflowRun]
    public async Task<string> RunAsync(string requestId)
    {
        await Workflow.ExecuteActivityAsync((IMediaRequestActivities a) => a.SubmitAsync(requestId), VersionedMediaRequest.Options);
        return await Workflow.ExecuteActivityAsync((IMediaRequestActivities a) => a.FailAsync(requestId, VersionedMediaRequest.Ended), VersionedMediaRequest.Options);
    }
}

[Workflow(VersionedMediaRequest.Name)]
public sealed class VersionedMediaRequestV2
{
    [WorkflowRun]
    public async Task<string> RunAsync(string requestId)
    {
        await Workflow.ExecuteActivityAsync((IMediaRequestActivities a) => a.SubmitAsync(requestId), VersionedMediaRequest.Options);
        if (Workflow.Patched(VersionedMediaRequest.PatchId))
        {
            await Workflow.ExecuteActivityAsync((IMediaRequestActivities a) => a.RecordProgressAsync(requestId, 1, "submitted", null), VersionedMediaRequest.Options);
        }
        return await Workflow.ExecuteActivityAsync((IMediaRequestActivities a) => a.FailAsync(requestId, VersionedMediaRequest.Ended), VersionedMediaRequest.Options);
    }
}

[Workflow(VersionedMediaRequest.Name)]
public sealed class VersionedMediaRequestV2Unguarded
{
    [WorkflowRun]
    public async Task<string> RunAsync(string requestId)
    {
        await Workflow.ExecuteActivityAsync((IMediaRequestActivities a) => a.SubmitAsync(requestId), VersionedMediaRequest.Options);
        await Workflow.ExecuteActivityAsync((IMediaRequestActivities a) => a.RecordProgressAsync(requestId, 1, "submitted", null), VersionedMediaRequest.Options);
        return await Workflow.ExecuteActivityAsync((IMediaRequestActivities a) => a.FailAsync(requestId, VersionedMediaRequest.Ended), VersionedMediaRequest.Options);
    }
}

// Records which activities ran, in order; no storage or executor is involved.
public sealed class RecordingMediaRequestActivities : IMediaRequestActivities
{
    private readonly List<string> _calls = [];

    public IReadOnlyList<string> Calls
    {
        get { lock (_calls) return [.. _calls]; }
    }

    private void Record(string call)
    {
        lock (_calls) _calls.Add(call);
    }

    public Task<SubmitOutcome> SubmitAsync(string requestId) { Record("submit"); return Task.FromResult(new SubmitOutcome(true)); }
    public Task RecordProgressAsync(string requestId, int sequence, string? message, double? percent) { Record($"progress:{message}"); return Task.CompletedTask; }
    public Task<string> CommitAsync(string requestId, StagedFile file) { Record("commit"); return Task.FromResult(MediaRequestStatuses.Fulfilled); }
    public Task<string> FailAsync(string requestId, MediaRequestError error) { Record("fail"); return Task.FromResult(MediaRequestStatuses.Failed); }
    public Task CancelAtExecutorAsync(string requestId, string reason) { Record("cancel-at-executor"); return Task.CompletedTask; }
    public Task<string> MarkCancelledAsync(string requestId, MediaRequestError? cancelError) { Record("mark-cancelled"); return Task.FromResult(MediaRequestStatuses.Cancelled); }
    public Task<PollOutcome> PollStatusAsync(string requestId, string statusUrl) { Record("poll"); return Task.FromResult(new PollOutcome(ExecutorStatuses.Running)); }
}
