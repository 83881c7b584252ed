using System.Globalization;
using System.Linq.Expressions;
using OpenDesign.Workflows.Contracts;
using Temporalio.Exceptions;
using Temporalio.Workflows;

namespace OpenDesign.Workflows.Workflows;

/// <summary>
/// One enabled-mode media task, from the provider call to a file in the project. The start is an activity (429s and
/// 5xx are retried by its retry policy, a 429 after the provider's Retry-After); a job left pending is polled on
/// durable timers, its progress appended as it comes; the bytes are committed through the same staging and
/// no-overwrite placement fulfilment uses. A refusal fails the task with the provider's message; so does giving up
/// after the bounded attempts. Cancellation (the task's run ended) tells the provider once, on a detached token, and
/// fails the task as cancelled. The workflow survives a restart of the service: nothing marks a task interrupted.
/// </summary>
[Workflow(Name)]
public sealed class MediaTaskWorkflow
{
    public const string Name = "MediaTask";

    private string _status = MediaTaskStatuses.Queued;
    private bool _useSearchAttributes;
    private int _progressSequence;
    private string? _jobId;

    public static string IdFor(string taskId) => $"media-task-{taskId}";

    [WorkflowQuery("status")]
    public string Status => _status;

    [WorkflowRun]
    public async Task<string> RunAsync(MediaTaskInput input)
    {
        _useSearchAttributes = input.UseSearchAttributes;
        try
        {
            var outcome = await CallProviderAsync(input, a => a.StartAsync(input.TaskId));
            if (outcome is null) return _status;
            SetStatus(MediaTaskStatuses.Running);
            while (outcome.File is not { } file)
            {
                _jobId = outcome.JobId;
                if (ProgressLine(outcome) is { } line) await RecordProgressAsync(input, line);
                await Workflow.DelayAsync(outcome.PollAfter is { } after && after > TimeSpan.Zero ? after : input.PollInterval);
                var jobId = _jobId!;
                outcome = await CallProviderAsync(input, a => a.PollAsync(input.TaskId, jobId));
                if (outcome is null) return _status;
            }
            _jobId = null;
            return SetStatus(await Workflow.ExecuteActivityAsync((IMediaTaskActivities a) => a.CommitAsync(input.TaskId, outcome.File), ActivityPolicies.Bookkeeping()));
        }
        catch (Exception e) when (TemporalException.IsCanceledException(e))
        {
            await CancelAsync(input);
            throw;
        }
    }

    /// <summary>A provider call; null when it failed for good, the task then already failed with the reason.</summary>
    private async Task<ProviderOutcome?> CallProviderAsync(MediaTaskInput input, Expression<Func<IMediaTaskActivities, Task<ProviderOutcome>>> call)
    {
        try
        {
            return await Workflow.ExecuteActivityAsync(call, ActivityPolicies.Provider(input.ProviderAttempts, input.ProviderRetryInterval));
        }
        catch (ActivityFailureException e) when (!TemporalException.IsCanceledException(e))
        {
            var error = e.InnerException is ApplicationFailureException app ? app : null;
            var (code, message) = error?.ErrorType switch
            {
                MediaTaskFailureTypes.NotConfigured => (ErrorCodes.MediaProviderUnavailable, error.Message),
                MediaTaskFailureTypes.Rejected or MediaTaskFailureTypes.Unusable => (ErrorCodes.MediaProviderRejected, error.Message),
                _ => (ErrorCodes.MediaProviderFailed, $"the provider did not succeed after {input.ProviderAttempts} attempts: {Innermost(e)}"),
            };
            // A job that is still pending upstream is told to stop: the task ends here.
            if (_jobId is { } job) await TryCancelAtProviderAsync(input, job, CancellationToken.None);
            await FailAsync(input, new MediaTaskError(message, Code: code));
            return null;
        }
    }

    private async Task RecordProgressAsync(MediaTaskInput input, string line)
    {
        var sequence = ++_progressSequence;
        await Workflow.ExecuteActivityAsync((IMediaTaskActivities a) => a.RecordProgressAsync(input.TaskId, sequence, line), ActivityPolicies.Bookkeeping());
    }

    private async Task FailAsync(MediaTaskInput input, MediaTaskError error, CancellationToken? token = null) =>
        SetStatus(await Workflow.ExecuteActivityAsync((IMediaTaskActivities a) => a.FailAsync(input.TaskId, error), ActivityPolicies.Bookkeeping(token)));

    /// <summary>Runs on a detached token: the workflow's own token is already cancelled.</summary>
    private async Task CancelAsync(MediaTaskInput input)
    {
        using var detached = new CancellationTokenSource();
        if (_jobId is { } job) await TryCancelAtProviderAsync(input, job, detached.Token);
        await FailAsync(input, new MediaTaskError("the media task was cancelled", Code: ErrorCodes.Cancelled), detached.Token);
    }

    private static async Task TryCancelAtProviderAsync(MediaTaskInput input, string jobId, CancellationToken token)
    {
        try
        {
            await Workflow.ExecuteActivityAsync((IMediaTaskActivities a) => a.CancelAtProviderAsync(input.TaskId, jobId), ActivityPolicies.CancelAtExecutor(token));
        }
        catch (ActivityFailureException)
        {
            // Best effort: the task ends either way.
        }
    }

    private static string? ProgressLine(ProviderOutcome outcome) => (outcome.Progress, outcome.Percent) switch
    {
        ({ } text, { } percent) => string.Create(CultureInfo.InvariantCulture, $"{text} ({percent:0.#}%)"),
        ({ } text, null) => text,
        (null, { } percent) => string.Create(CultureInfo.InvariantCulture, $"{percent:0.#}%"),
        _ => null,
    };

    private string SetStatus(string status)
    {
        _status = status;
        if (_useSearchAttributes) Workflow.UpsertTypedSearchAttributes(OdSearchAttributes.Status.ValueSet(status));
        return status;
    }

    private static string Innermost(Exception e)
    {
        while (e.InnerException is not null) e = e.InnerException;
        return e.Message;
    }
}
