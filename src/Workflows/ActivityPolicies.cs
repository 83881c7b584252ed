using Temporalio.Common;
using Temporalio.Workflows;

namespace OpenDesign.Workflows.Workflows;

/// <summary>Timeouts and retries per kind of activity, in one place so the trade-offs are read together.</summary>
internal static class ActivityPolicies
{
    /// <summary>Errors an activity raises when retrying cannot help (a policy that names a missing variable, say).</summary>
    public const string NonRetryable = ActivityPolicyErrorTypes.NonRetryable;

    /// <summary>
    /// Transient executor failures (5xx, 408, 429, transport) retry with backoff until the request's deadline; the
    /// activity keeps the same Idempotency-Key on every attempt, so the executor sees one logical submission.
    /// </summary>
    public static ActivityOptions Submit(TimeSpan deadline) => new()
    {
        StartToCloseTimeout = TimeSpan.FromSeconds(30),
        ScheduleToCloseTimeout = deadline,
        RetryPolicy = new RetryPolicy
        {
            InitialInterval = TimeSpan.FromSeconds(1),
            BackoffCoefficient = 2,
            MaximumInterval = TimeSpan.FromMinutes(1),
            NonRetryableErrorTypes = [NonRetryable],
        },
    };

    /// <summary>Local writes (SQLite, the project directory): retried until they succeed, since the outcome is already decided.</summary>
    public static ActivityOptions Bookkeeping(CancellationToken? token = null) => new()
    {
        StartToCloseTimeout = TimeSpan.FromMinutes(2),
        CancellationToken = token,
        RetryPolicy = new RetryPolicy
        {
            InitialInterval = TimeSpan.FromSeconds(1),
            BackoffCoefficient = 2,
            MaximumInterval = TimeSpan.FromSeconds(30),
            NonRetryableErrorTypes = [NonRetryable],
        },
    };

    /// <summary>Best effort: a few quick attempts, then the failure is recorded and the request ends anyway.</summary>
    public static ActivityOptions CancelAtExecutor(CancellationToken token) => new()
    {
        StartToCloseTimeout = TimeSpan.FromSeconds(10),
        CancellationToken = token,
        RetryPolicy = new RetryPolicy { InitialInterval = TimeSpan.FromSeconds(1), BackoffCoefficient = 2, MaximumAttempts = 3 },
    };

    /// <summary>A status poll may download the result; a failed poll is simply tried again at the next interval.</summary>
    public static ActivityOptions Poll() => new()
    {
        StartToCloseTimeout = TimeSpan.FromMinutes(2),
        RetryPolicy = new RetryPolicy { InitialInterval = TimeSpan.FromSeconds(1), MaximumAttempts = 2 },
    };

    /// <summary>
    /// A media provider call (start or poll). 429, 5xx and transport failures retry with backoff (a 429's Retry-After
    /// sets the next delay) up to <paramref name="attempts"/>; refusals are raised non-retryable and end the task.
    /// </summary>
    /// <summary>How long a provider call may go without a heartbeat before the engine retries it elsewhere.</summary>
    public static readonly TimeSpan ProviderHeartbeatTimeout = TimeSpan.FromSeconds(30);

    public static ActivityOptions Provider(int attempts, TimeSpan initialInterval) => new()
    {
        StartToCloseTimeout = TimeSpan.FromMinutes(10),
        // The activity heartbeats while the provider call runs: a worker that dies mid-call (a service killed or
        // restarted) is noticed within this, not after the whole start-to-close timeout.
        HeartbeatTimeout = ProviderHeartbeatTimeout,
        RetryPolicy = new RetryPolicy
        {
            InitialInterval = initialInterval,
            BackoffCoefficient = 2,
            MaximumInterval = TimeSpan.FromMinutes(1),
            MaximumAttempts = Math.Max(1, attempts),
            NonRetryableErrorTypes = [NonRetryable, MediaTaskFailureTypes.Rejected, MediaTaskFailureTypes.NotConfigured, MediaTaskFailureTypes.Unusable],
        },
    };
}
