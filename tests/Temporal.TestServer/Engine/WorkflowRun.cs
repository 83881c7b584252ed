using Google.Protobuf;
using Temporalio.Api.Common.V1;
using Temporalio.Api.Sdk.V1;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.History.V1;
using Temporalio.Api.TaskQueue.V1;

namespace OpenDesign.Workflows.Temporal.TestServer.Engine;

// Mutable state of one workflow run ("mutable state" in Temporal's own terms). Only the engine
// touches it, always under the engine lock.
internal sealed class WorkflowRun
{
    public WorkflowRun(string ns, string workflowId, string runId, HistoryBuilder history)
    {
        Namespace = ns;
        WorkflowId = workflowId;
        RunId = runId;
        History = history;
    }

    public string Namespace { get; }
    public string WorkflowId { get; }
    public string RunId { get; }
    public HistoryBuilder History { get; }
    public long Sequence { get; init; }

    public required WorkflowType Type { get; init; }
    public required TaskQueue TaskQueue { get; init; }
    public required WorkflowExecutionStartedEventAttributes StartAttributes { get; init; }
    public required string StartRequestId { get; init; }
    public required DateTime StartTime { get; init; }
    public UserMetadata? UserMetadata { get; init; }
    public string FirstRunId { get; init; } = "";

    public Memo Memo { get; set; } = new();
    public SearchAttributes SearchAttributes { get; set; } = new();

    public WorkflowExecutionStatus Status { get; set; } = WorkflowExecutionStatus.Running;
    public DateTime? CloseTime { get; set; }
    public bool IsOpen => Status == WorkflowExecutionStatus.Running;
    public bool CancelRequested { get; set; }

    // The workflow task in flight (scheduled, or started by a worker), if any. Temporal allows at
    // most one at a time; events arriving while one is started are buffered by HistoryBuilder.
    public WorkflowTaskState? WorkflowTask { get; set; }
    public int NextWorkflowTaskAttempt { get; set; } = 1;
    public long LastCompletedStartedEventId { get; set; }

    public Dictionary<long, ActivityState> Activities { get; } = [];
    public Dictionary<string, TimerState> Timers { get; } = new(StringComparer.Ordinal);
    public List<PendingQuery> Queries { get; } = [];
    public HashSet<string> SeenRequestIds { get; } = new(StringComparer.Ordinal);
    public ClockTimer? RunTimeout { get; set; }
    public ClockTimer? ExecutionTimeout { get; set; }

    // Completed when the run closes; the history long-poll for the close event waits on it.
    public TaskCompletionSource Closed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Temporalio.Api.Common.V1.WorkflowExecution Execution => new() { WorkflowId = WorkflowId, RunId = RunId };
}

internal sealed class WorkflowTaskState
{
    public required long ScheduledEventId { get; init; }
    public required int Attempt { get; init; }
    public required DateTime ScheduledTime { get; init; }
    public long StartedEventId { get; set; }
    public DateTime StartedTime { get; set; }
    public ByteString? Token { get; set; }
    public ClockTimer? Timeout { get; set; }
    public bool IsStarted => StartedEventId > 0;
}

internal enum ActivityPhase
{
    // Waiting in the task queue for a worker to poll it.
    Queued,
    // Handed to a worker; the attempt is running.
    Started,
    // The last attempt failed and the retry policy asked for another after a delay.
    Backoff,
}

internal sealed class ActivityState
{
    public required WorkflowRun Run { get; init; }
    public required long ScheduledEventId { get; init; }
    public required ActivityTaskScheduledEventAttributes Attributes { get; init; }
    public required DateTime FirstScheduledTime { get; init; }
    public string ActivityId => Attributes.ActivityId;

    public ActivityPhase Phase { get; set; } = ActivityPhase.Queued;
    public int Attempt { get; set; } = 1;
    public DateTime AttemptScheduledTime { get; set; }
    public DateTime StartedTime { get; set; }
    public string StartedIdentity { get; set; } = "";
    public Temporalio.Api.Failure.V1.Failure? LastFailure { get; set; }
    public Payloads? HeartbeatDetails { get; set; }
    public DateTime? LastHeartbeatTime { get; set; }
    public bool CancelRequested { get; set; }
    public long LatestCancelRequestedEventId { get; set; }

    // The queue entry or the running attempt that is current; anything else is stale.
    public object? Dispatch { get; set; }
    public ByteString? Token { get; set; }

    public ClockTimer? ScheduleToCloseTimer { get; set; }
    public ClockTimer? AttemptTimer { get; set; }
    public ClockTimer? HeartbeatTimer { get; set; }
    public ClockTimer? BackoffTimer { get; set; }
    public DateTime? NextAttemptTime { get; set; }

    public void StopAttemptTimers()
    {
        AttemptTimer?.Cancel();
        HeartbeatTimer?.Cancel();
        BackoffTimer?.Cancel();
        AttemptTimer = HeartbeatTimer = BackoffTimer = null;
    }

    public void StopAllTimers()
    {
        StopAttemptTimers();
        ScheduleToCloseTimer?.Cancel();
        ScheduleToCloseTimer = null;
    }
}

internal sealed class TimerState
{
    public required string TimerId { get; init; }
    public required long StartedEventId { get; init; }
    public required ClockTimer Clock { get; init; }
}

internal sealed class PendingQuery
{
    public required WorkflowRun Run { get; init; }
    public required Temporalio.Api.Query.V1.WorkflowQuery Query { get; init; }
    public TaskCompletionSource<Payloads?> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    public bool Dispatched { get; set; }
}

// Queue entries. Each is checked against the run's current state when a worker takes it.
internal sealed record WorkflowTaskDispatch(WorkflowRun Run, WorkflowTaskState Task);
internal sealed record QueryTaskDispatch(PendingQuery Query);
internal sealed record ActivityTaskDispatch(ActivityState Activity, int Attempt);

// Worker-side references carried by task tokens.
internal sealed record QueryLease(PendingQuery Query);
internal sealed record WorkflowTaskLease(WorkflowRun Run, WorkflowTaskState Task);
internal sealed record ActivityLease(ActivityState Activity, int Attempt);
