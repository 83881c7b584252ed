using Google.Protobuf.WellKnownTypes;
using Temporalio.Api.Common.V1;
using Temporalio.Api.Enums.V1;

namespace OpenDesign.Workflows.Temporal.TestServer.Engine;

// Server-side retry decisions for activities, following Temporal's documented defaults: initial
// interval 1 s, backoff coefficient 2, maximum interval 100 x initial, unlimited attempts. The
// server, not the SDK, retries activities, so these rules decide what the workflow sees.
internal static class ActivityRetryPolicy
{
    public static RetryPolicy WithDefaults(RetryPolicy? policy)
    {
        var filled = policy?.Clone() ?? new RetryPolicy();
        if (filled.InitialInterval is null || filled.InitialInterval.ToTimeSpan() <= TimeSpan.Zero)
        {
            filled.InitialInterval = Duration.FromTimeSpan(TimeSpan.FromSeconds(1));
        }
        if (filled.BackoffCoefficient < 1)
        {
            filled.BackoffCoefficient = 2;
        }
        if (filled.MaximumInterval is null || filled.MaximumInterval.ToTimeSpan() <= TimeSpan.Zero)
        {
            filled.MaximumInterval = Duration.FromTimeSpan(filled.InitialInterval.ToTimeSpan() * 100);
        }
        return filled;
    }

    // Decides whether the attempt that just ended (`attempt`, 1-based) is followed by another.
    // scheduleToCloseDeadline, when set, is the point after which no attempt may start.
    public static RetryDecision Decide(
        RetryPolicy policy,
        int attempt,
        Temporalio.Api.Failure.V1.Failure failure,
        DateTime now,
        DateTime? scheduleToCloseDeadline)
    {
        if (IsNonRetryable(policy, failure))
        {
            return RetryDecision.Stop(RetryState.NonRetryableFailure);
        }
        if (policy.MaximumAttempts > 0 && attempt >= policy.MaximumAttempts)
        {
            return RetryDecision.Stop(RetryState.MaximumAttemptsReached);
        }
        var delay = Backoff(policy, attempt, failure);
        if (scheduleToCloseDeadline is { } deadline && now + delay >= deadline)
        {
            return RetryDecision.Stop(RetryState.Timeout);
        }
        return RetryDecision.After(delay);
    }

    private static TimeSpan Backoff(RetryPolicy policy, int attempt, Temporalio.Api.Failure.V1.Failure failure)
    {
        // An application failure may ask for its own next delay (ApplicationFailureException.NextRetryDelay).
        if (failure.ApplicationFailureInfo?.NextRetryDelay is { } requested && requested.ToTimeSpan() > TimeSpan.Zero)
        {
            return requested.ToTimeSpan();
        }
        var initial = policy.InitialInterval.ToTimeSpan();
        var maximum = policy.MaximumInterval.ToTimeSpan();
        var scaled = initial.TotalMilliseconds * Math.Pow(policy.BackoffCoefficient, attempt - 1);
        return TimeSpan.FromMilliseconds(Math.Min(scaled, maximum.TotalMilliseconds));
    }

    private static bool IsNonRetryable(RetryPolicy policy, Temporalio.Api.Failure.V1.Failure failure)
    {
        if (failure.ApplicationFailureInfo is { } app)
        {
            return app.NonRetryable || policy.NonRetryableErrorTypes.Contains(app.Type);
        }
        if (failure.TimeoutFailureInfo is { } timeout)
        {
            // Only start-to-close and heartbeat timeouts are retried; the others end the activity.
            return timeout.TimeoutType is not (TimeoutType.StartToClose or TimeoutType.Heartbeat);
        }
        // Cancelled, terminated and server failures are not retried.
        return failure.CanceledFailureInfo is not null || failure.TerminatedFailureInfo is not null;
    }
}

internal readonly record struct RetryDecision(bool Retry, TimeSpan Delay, RetryState State)
{
    public static RetryDecision Stop(RetryState state) => new(false, TimeSpan.Zero, state);

    public static RetryDecision After(TimeSpan delay) => new(true, delay, RetryState.InProgress);
}
