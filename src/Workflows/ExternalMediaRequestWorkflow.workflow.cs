using OpenDesign.Workflows.Contracts;
using Temporalio.Common;
using Temporalio.Exceptions;
using Temporalio.Workflows;

namespace OpenDesign.Workflows.Workflows;

/// <summary>
/// One external media request, from submission to a terminal state. It submits through an activity (Temporal retries
/// transient executor failures with the same Idempotency-Key), then waits for the executor's fulfil, fail or progress
/// signals, polls a statusUrl when one was given, and gives up at the deadline. Cancellation is best effort: the
/// executor is told on a detached token, and the request still ends as cancelled if it cannot be.
/// </summary>
[Workflow(Name)]
public sealed class ExternalMediaRequestWorkflow
{
    public const string Name = "ExternalMediaRequest";

    private readonly Queue<ProgressSignal> _progress = new();
    private FulfilledSignal? _fulfilled;
    private FailedSignal? _failed;
    private string _status = MediaRequestStatuses.Requested;
    private bool _useSearchAttributes;
    private int _progressSequence;

    public static string IdFor(string requestId) => $"media-request-{requestId}";

    [WorkflowQuery("status")]
    public string Status => _status;

    [WorkflowRun]
    public async Task<string> RunAsync(ExternalMediaRequestInput input)
    {
        _useSearchAttributes = input.UseSearchAttributes;
        var deadline = Workflow.UtcNow + input.Deadline;
        var submitted = false;
        try
        {
            SubmitOutcome submit;
            try
            {
                submit = await Workflow.ExecuteActivityAsync((IMediaRequestActivities a) => a.SubmitAsync(input.RequestId), ActivityPolicies.Submit(input.Deadline));
            }
            catch (ActivityFailureException e) when (e.InnerException is ApplicationFailureException { ErrorType: ActivityPolicyErrorTypes.NonRetryable })
            {
                // The run's executor settings cannot work (a missing auth variable, say): no retry would help.
                return await FailAsync(input, ErrorCodes.ExternalExecutorUnavailable, Innermost(e));
            }
            catch (ActivityFailureException e) when (!TemporalException.IsCanceledException(e))
            {
                // Retries ran out before the deadline: the executor never took the request.
                return await FailAsync(input, ErrorCodes.ExecutorTimeout, $"the executor did not accept the request before the deadline: {Innermost(e)}");
            }
            if (!submit.Accepted)
            {
                // The activity has recorded why (a 4xx, or the request ended meanwhile).
                return SetStatus(MediaRequestStatuses.Failed);
            }
            submitted = true;
            SetStatus(MediaRequestStatuses.Submitted);
            return await AwaitOutcomeAsync(input, submit.StatusUrl, deadline);
        }
        catch (Exception e) when (TemporalException.IsCanceledException(e))
        {
            await CancelAsync(input, submitted, "cancellation requested");
            throw;
        }
    }

    [WorkflowSignal("fulfilled")]
    public Task FulfilledAsync(FulfilledSignal signal)
    {
        // The first fulfilment wins; the API has already refused different bytes for a fulfilled request.
        _fulfilled ??= signal;
        return Task.CompletedTask;
    }

    [WorkflowSignal("failed")]
    public Task FailedAsync(FailedSignal signal)
    {
        _failed ??= signal;
        return Task.CompletedTask;
    }

    [WorkflowSignal("progress")]
    public Task ProgressAsync(ProgressSignal signal)
    {
        _progress.Enqueue(signal);
        return Task.CompletedTask;
    }

    private async Task<string> AwaitOutcomeAsync(ExternalMediaRequestInput input, string? statusUrl, DateTime deadline)
    {
        while (true)
        {
            var remaining = deadline - Workflow.UtcNow;
            if (remaining <= TimeSpan.Zero) break;
            var wait = statusUrl is null || input.StatusPollInterval >= remaining ? remaining : input.StatusPollInterval;
            var signalled = await Workflow.WaitConditionAsync(() => _fulfilled is not null || _failed is not null || _progress.Count > 0, wait);

            while (_progress.TryDequeue(out var progress))
            {
                await RecordProgressAsync(input, progress.Message, progress.Percent);
            }
            if (_fulfilled is { } fulfilled)
            {
                return SetStatus(await Workflow.ExecuteActivityAsync((IMediaRequestActivities a) => a.CommitAsync(input.RequestId, fulfilled.File), ActivityPolicies.Bookkeeping()));
            }
            if (_failed is { } failed)
            {
                return SetStatus(await Workflow.ExecuteActivityAsync((IMediaRequestActivities a) => a.FailAsync(input.RequestId, failed.Error), ActivityPolicies.Bookkeeping()));
            }
            if (!signalled && statusUrl is not null && Workflow.UtcNow < deadline)
            {
                await PollAsync(input, statusUrl);
            }
        }

        // The deadline passed without an outcome: tell the executor to stop, then fail the request.
        await TryCancelAtExecutorAsync(input, "deadline", CancellationToken.None);
        return await FailAsync(input, ErrorCodes.ExecutorTimeout, $"the executor did not finish within {input.Deadline}");
    }

    private async Task PollAsync(ExternalMediaRequestInput input, string statusUrl)
    {
        PollOutcome poll;
        try
        {
            poll = await Workflow.ExecuteActivityAsync((IMediaRequestActivities a) => a.PollStatusAsync(input.RequestId, statusUrl), ActivityPolicies.Poll());
        }
        catch (ActivityFailureException e) when (!TemporalException.IsCanceledException(e))
        {
            // A poll is only a safety net for a lost callback; the next interval tries again.
            return;
        }
        switch (poll.Status)
        {
            case ExecutorStatuses.Fulfilled when poll.File is not null:
                _fulfilled ??= new FulfilledSignal(poll.File);
                break;
            case ExecutorStatuses.Failed:
                _failed ??= new FailedSignal(poll.Error ?? new MediaRequestError("the executor reports the request failed", ErrorCodes.ExecutorRejected));
                break;
            case ExecutorStatuses.Running when poll.Message is not null || poll.Percent is not null:
                _progress.Enqueue(new ProgressSignal(poll.Message, poll.Percent));
                break;
        }
    }

    private async Task RecordProgressAsync(ExternalMediaRequestInput input, string? message, double? percent)
    {
        var sequence = ++_progressSequence;
        await Workflow.ExecuteActivityAsync((IMediaRequestActivities a) => a.RecordProgressAsync(input.RequestId, sequence, message, percent), ActivityPolicies.Bookkeeping());
        if (_status == MediaRequestStatuses.Submitted) SetStatus(MediaRequestStatuses.Running);
    }

    private async Task<string> FailAsync(ExternalMediaRequestInput input, string code, string message) =>
        SetStatus(await Workflow.ExecuteActivityAsync(
            (IMediaRequestActivities a) => a.FailAsync(input.RequestId, new MediaRequestError(message, code)), ActivityPolicies.Bookkeeping()));

    /// <summary>Runs on a detached token: the workflow's own token is already cancelled.</summary>
    private async Task CancelAsync(ExternalMediaRequestInput input, bool submitted, string reason)
    {
        using var detached = new CancellationTokenSource();
        var cancelError = submitted ? await TryCancelAtExecutorAsync(input, reason, detached.Token) : null;
        SetStatus(await Workflow.ExecuteActivityAsync(
            (IMediaRequestActivities a) => a.MarkCancelledAsync(input.RequestId, cancelError),
            ActivityPolicies.Bookkeeping(detached.Token)));
    }

    private static async Task<MediaRequestError?> TryCancelAtExecutorAsync(ExternalMediaRequestInput input, string reason, CancellationToken token)
    {
        try
        {
            await Workflow.ExecuteActivityAsync((IMediaRequestActivities a) => a.CancelAtExecutorAsync(input.RequestId, reason),
                ActivityPolicies.CancelAtExecutor(token));
            return null;
        }
        catch (ActivityFailureException e)
        {
            // Recorded on the request, never fatal: the request still ends.
            return new MediaRequestError($"the executor could not be told to cancel: {Innermost(e)}", ErrorCodes.ExecutorCancelFailed);
        }
    }

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
