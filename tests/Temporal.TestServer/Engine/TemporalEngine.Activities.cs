using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Temporalio.Api.Command.V1;
using Temporalio.Api.Common.V1;
using Temporalio.Api.Sdk.V1;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.Failure.V1;
using Temporalio.Api.History.V1;
using Temporalio.Api.TaskQueue.V1;
using Temporalio.Api.WorkflowService.V1;
using OpenDesign.Workflows.Temporal.TestServer.Grpc;

namespace OpenDesign.Workflows.Temporal.TestServer.Engine;

// Activity tasks: dispatch, heartbeats, results, server-side retries and the four timeouts.
//
// As on a real server, an attempt leaves no trace in history until the activity is done:
// ActivityTaskStarted (with the final attempt number and the last failure) is written together with
// the outcome. Retries only bump the attempt and wait out the backoff on the clock.
internal sealed partial class TemporalEngine
{
    private void ScheduleActivity(WorkflowRun run, ScheduleActivityTaskCommandAttributes a, UserMetadata? metadata, long completedEventId)
    {
        var scheduleToClose = a.ScheduleToCloseTimeout;
        var startToClose = IsUnset(a.StartToCloseTimeout) ? scheduleToClose : a.StartToCloseTimeout;
        var attributes = new ActivityTaskScheduledEventAttributes
        {
            ActivityId = a.ActivityId,
            ActivityType = a.ActivityType,
            TaskQueue = string.IsNullOrEmpty(a.TaskQueue?.Name) ? run.TaskQueue : new TaskQueue { Name = a.TaskQueue.Name, Kind = TaskQueueKind.Normal },
            Header = a.Header,
            Input = a.Input,
            ScheduleToCloseTimeout = scheduleToClose,
            ScheduleToStartTimeout = a.ScheduleToStartTimeout,
            StartToCloseTimeout = startToClose,
            HeartbeatTimeout = a.HeartbeatTimeout,
            WorkflowTaskCompletedEventId = completedEventId,
            RetryPolicy = ActivityRetryPolicy.WithDefaults(a.RetryPolicy),
            UseWorkflowBuildId = a.UseWorkflowBuildId,
            Priority = a.Priority,
        };
        var scheduled = run.History.Append(new HistoryEvent
        {
            EventType = EventType.ActivityTaskScheduled,
            UserMetadata = metadata,
            ActivityTaskScheduledEventAttributes = attributes,
        });
        var now = Clock.UtcNow;
        var activity = new ActivityState
        {
            Run = run,
            ScheduledEventId = scheduled.EventId,
            Attributes = attributes,
            FirstScheduledTime = now,
        };
        run.Activities[activity.ScheduledEventId] = activity;
        if (!IsUnset(scheduleToClose))
        {
            activity.ScheduleToCloseTimer = Clock.After(scheduleToClose.ToTimeSpan(), () => OnActivityTimeout(activity, activity.Attempt, TimeoutType.ScheduleToClose));
        }
        EnqueueActivity(activity);
    }

    private void EnqueueActivity(ActivityState activity)
    {
        activity.Phase = ActivityPhase.Queued;
        activity.AttemptScheduledTime = Clock.UtcNow;
        activity.NextAttemptTime = null;
        var dispatch = new ActivityTaskDispatch(activity, activity.Attempt);
        activity.Dispatch = dispatch;
        if (!IsUnset(activity.Attributes.ScheduleToStartTimeout))
        {
            var attempt = activity.Attempt;
            activity.AttemptTimer = Clock.After(activity.Attributes.ScheduleToStartTimeout.ToTimeSpan(), () => OnActivityTimeout(activity, attempt, TimeoutType.ScheduleToStart));
        }
        Broker.Enqueue(new QueueKey(activity.Run.Namespace, activity.Attributes.TaskQueue.Name, QueueKind.Activity), dispatch);
    }

    public async Task<PollActivityTaskQueueResponse> PollActivityTaskAsync(PollActivityTaskQueueRequest request, CancellationToken cancellation)
    {
        RequireNamespace(request.Namespace);
        var key = new QueueKey(request.Namespace, request.TaskQueue?.Name ?? "", QueueKind.Activity);
        var deadline = DateTime.UtcNow + Options.LongPollTimeout;
        while (true)
        {
            var remaining = deadline - DateTime.UtcNow;
            if (remaining <= TimeSpan.Zero)
            {
                return new PollActivityTaskQueueResponse();
            }
            if (await Broker.TakeAsync(key, remaining, cancellation) is not ActivityTaskDispatch dispatch)
            {
                return new PollActivityTaskQueueResponse();
            }
            lock (_gate)
            {
                if (StartActivityAttempt(dispatch, request.Identity) is { } response)
                {
                    return response;
                }
            }
        }
    }

    private PollActivityTaskQueueResponse? StartActivityAttempt(ActivityTaskDispatch dispatch, string identity)
    {
        var activity = dispatch.Activity;
        if (!activity.Run.IsOpen || !ReferenceEquals(activity.Dispatch, dispatch) || activity.Phase != ActivityPhase.Queued)
        {
            return null;
        }
        var now = Clock.UtcNow;
        activity.StopAttemptTimers();
        activity.Phase = ActivityPhase.Started;
        activity.StartedTime = now;
        activity.StartedIdentity = identity;
        activity.Token = IssueToken(new ActivityLease(activity, activity.Attempt));
        var attempt = activity.Attempt;
        var a = activity.Attributes;
        activity.AttemptTimer = Clock.After(a.StartToCloseTimeout.ToTimeSpan(), () => OnActivityTimeout(activity, attempt, TimeoutType.StartToClose));
        ArmHeartbeatTimeout(activity);
        return new PollActivityTaskQueueResponse
        {
            TaskToken = activity.Token,
            WorkflowNamespace = activity.Run.Namespace,
            WorkflowType = activity.Run.Type,
            WorkflowExecution = activity.Run.Execution,
            ActivityType = a.ActivityType,
            ActivityId = a.ActivityId,
            Header = a.Header,
            Input = a.Input,
            HeartbeatDetails = activity.HeartbeatDetails,
            ScheduledTime = Timestamp.FromDateTime(activity.FirstScheduledTime),
            CurrentAttemptScheduledTime = Timestamp.FromDateTime(activity.AttemptScheduledTime),
            StartedTime = Timestamp.FromDateTime(now),
            Attempt = attempt,
            ScheduleToCloseTimeout = a.ScheduleToCloseTimeout,
            StartToCloseTimeout = a.StartToCloseTimeout,
            HeartbeatTimeout = a.HeartbeatTimeout,
            RetryPolicy = a.RetryPolicy,
            Priority = a.Priority,
        };
    }

    private void ArmHeartbeatTimeout(ActivityState activity)
    {
        activity.HeartbeatTimer?.Cancel();
        activity.HeartbeatTimer = null;
        if (!IsUnset(activity.Attributes.HeartbeatTimeout))
        {
            var attempt = activity.Attempt;
            activity.HeartbeatTimer = Clock.After(activity.Attributes.HeartbeatTimeout.ToTimeSpan(), () => OnActivityTimeout(activity, attempt, TimeoutType.Heartbeat));
        }
    }

    // Resolves a task token to the running attempt it was issued for; anything else (an earlier
    // attempt, a finished activity, a closed run) is NotFound, which core treats as "stop".
    private ActivityState RunningAttempt(ByteString token)
    {
        var lease = ResolveToken<ActivityLease>(token, "Activity task");
        var activity = lease.Activity;
        if (!activity.Run.IsOpen
            || activity.Phase != ActivityPhase.Started
            || activity.Attempt != lease.Attempt
            || !activity.Run.Activities.ContainsKey(activity.ScheduledEventId))
        {
            RevokeToken(token);
            throw RpcErrors.NotFound("Activity task not found.");
        }
        return activity;
    }

    // The Respond*ById calls name the activity instead of presenting a token.
    private ActivityState RunningAttempt(ByteString? token, ActivityLocator? byId)
    {
        if (token is not null) return RunningAttempt(token);
        var run = FindRun(byId!.Namespace, byId.WorkflowId, byId.RunId);
        var activity = run.Activities.Values.FirstOrDefault(a => a.ActivityId == byId.ActivityId && a.Phase == ActivityPhase.Started);
        return activity ?? throw RpcErrors.NotFound("Activity task not found.");
    }

    public RecordActivityTaskHeartbeatResponse Heartbeat(ByteString token, Payloads? details)
    {
        lock (_gate)
        {
            return HeartbeatLocked(RunningAttempt(token), details);
        }
    }

    public RecordActivityTaskHeartbeatByIdResponse HeartbeatById(RecordActivityTaskHeartbeatByIdRequest request)
    {
        lock (_gate)
        {
            var activity = RunningAttempt(null, new ActivityLocator(request.Namespace, request.WorkflowId, request.RunId, request.ActivityId));
            return new RecordActivityTaskHeartbeatByIdResponse { CancelRequested = HeartbeatLocked(activity, request.Details).CancelRequested };
        }
    }

    private RecordActivityTaskHeartbeatResponse HeartbeatLocked(ActivityState activity, Payloads? details)
    {
        if (details is not null)
        {
            activity.HeartbeatDetails = details;
        }
        activity.LastHeartbeatTime = Clock.UtcNow;
        ArmHeartbeatTimeout(activity);
        // A cancel request reaches a running activity only through this answer.
        return new RecordActivityTaskHeartbeatResponse { CancelRequested = activity.CancelRequested };
    }

    public void CompleteActivity(ByteString? token, ActivityLocator? byId, Payloads? result, string identity)
    {
        lock (_gate)
        {
            var activity = RunningAttempt(token, byId);
            FinishActivity(activity, identity, new HistoryEvent
            {
                EventType = EventType.ActivityTaskCompleted,
                ActivityTaskCompletedEventAttributes = new ActivityTaskCompletedEventAttributes
                {
                    Result = result,
                    ScheduledEventId = activity.ScheduledEventId,
                    StartedEventId = HistoryBuilder.StartedEventIdFromPrevious,
                    Identity = identity,
                },
            });
        }
        RequestTimeSkipCheck();
    }

    public void FailActivity(ByteString? token, ActivityLocator? byId, Failure failure, Payloads? lastHeartbeatDetails, string identity)
    {
        lock (_gate)
        {
            var activity = RunningAttempt(token, byId);
            if (lastHeartbeatDetails is not null)
            {
                activity.HeartbeatDetails = lastHeartbeatDetails;
            }
            EndAttemptWithFailure(activity, failure, identity, timeoutType: null);
        }
        RequestTimeSkipCheck();
    }

    public void CancelActivity(ByteString? token, ActivityLocator? byId, Payloads? details, string identity)
    {
        lock (_gate)
        {
            var activity = RunningAttempt(token, byId);
            FinishActivity(activity, identity, new HistoryEvent
            {
                EventType = EventType.ActivityTaskCanceled,
                ActivityTaskCanceledEventAttributes = new ActivityTaskCanceledEventAttributes
                {
                    Details = details,
                    LatestCancelRequestedEventId = activity.LatestCancelRequestedEventId,
                    ScheduledEventId = activity.ScheduledEventId,
                    StartedEventId = HistoryBuilder.StartedEventIdFromPrevious,
                    Identity = identity,
                },
            });
        }
        RequestTimeSkipCheck();
    }

    // Ends an attempt that failed (or timed out): retry after backoff if the policy allows,
    // otherwise record the failure for the workflow.
    private void EndAttemptWithFailure(ActivityState activity, Failure failure, string identity, TimeoutType? timeoutType)
    {
        var now = Clock.UtcNow;
        DateTime? scheduleToCloseDeadline = IsUnset(activity.Attributes.ScheduleToCloseTimeout)
            ? null
            : activity.FirstScheduledTime + activity.Attributes.ScheduleToCloseTimeout.ToTimeSpan();
        var decision = ActivityRetryPolicy.Decide(activity.Attributes.RetryPolicy, activity.Attempt, failure, now, scheduleToCloseDeadline);
        if (decision.Retry)
        {
            activity.StopAttemptTimers();
            RevokeToken(activity.Token);
            activity.Token = null;
            activity.Dispatch = null;
            activity.LastFailure = failure;
            activity.Attempt++;
            activity.Phase = ActivityPhase.Backoff;
            activity.NextAttemptTime = now + decision.Delay;
            activity.BackoffTimer = Clock.After(decision.Delay, () =>
            {
                lock (_gate)
                {
                    if (activity.Run.IsOpen && activity.Phase == ActivityPhase.Backoff && activity.Run.Activities.ContainsKey(activity.ScheduledEventId))
                    {
                        activity.BackoffTimer = null;
                        EnqueueActivity(activity);
                    }
                }
                RequestTimeSkipCheck();
            });
            return;
        }
        var outcome = timeoutType is null
            ? new HistoryEvent
            {
                EventType = EventType.ActivityTaskFailed,
                ActivityTaskFailedEventAttributes = new ActivityTaskFailedEventAttributes
                {
                    Failure = failure,
                    ScheduledEventId = activity.ScheduledEventId,
                    StartedEventId = HistoryBuilder.StartedEventIdFromPrevious,
                    Identity = identity,
                    RetryState = decision.State,
                },
            }
            : new HistoryEvent
            {
                EventType = EventType.ActivityTaskTimedOut,
                ActivityTaskTimedOutEventAttributes = new ActivityTaskTimedOutEventAttributes
                {
                    Failure = failure,
                    ScheduledEventId = activity.ScheduledEventId,
                    StartedEventId = HistoryBuilder.StartedEventIdFromPrevious,
                    RetryState = decision.State,
                },
            };
        FinishActivity(activity, identity, outcome);
    }

    // Writes ActivityTaskStarted (if an attempt was running) and the outcome, then wakes the workflow.
    private void FinishActivity(ActivityState activity, string identity, HistoryEvent outcome)
    {
        var run = activity.Run;
        activity.StopAllTimers();
        RevokeToken(activity.Token);
        run.Activities.Remove(activity.ScheduledEventId);
        if (activity.Phase == ActivityPhase.Started)
        {
            AddExternalEvent(run, new HistoryEvent
            {
                EventType = EventType.ActivityTaskStarted,
                EventTime = Timestamp.FromDateTime(activity.StartedTime),
                ActivityTaskStartedEventAttributes = new ActivityTaskStartedEventAttributes
                {
                    ScheduledEventId = activity.ScheduledEventId,
                    Identity = string.IsNullOrEmpty(activity.StartedIdentity) ? identity : activity.StartedIdentity,
                    RequestId = Guid.NewGuid().ToString(),
                    Attempt = activity.Attempt,
                    LastFailure = activity.LastFailure,
                },
            });
        }
        else
        {
            ClearStartedReference(outcome);
        }
        AddExternalEvent(run, outcome);
    }

    // An activity that ends while not running (timed out in the queue or during backoff, cancelled
    // before dispatch) has no ActivityTaskStarted: its outcome's started_event_id stays 0.
    private static void ClearStartedReference(HistoryEvent e)
    {
        if (e.ActivityTaskTimedOutEventAttributes is { } timedOut)
        {
            timedOut.StartedEventId = 0;
        }
        if (e.ActivityTaskCanceledEventAttributes is { } canceled)
        {
            canceled.StartedEventId = 0;
        }
        if (e.ActivityTaskFailedEventAttributes is { } failed)
        {
            failed.StartedEventId = 0;
        }
    }

    private void OnActivityTimeout(ActivityState activity, int attempt, TimeoutType type)
    {
        lock (_gate)
        {
            var run = activity.Run;
            if (!run.IsOpen || !run.Activities.ContainsKey(activity.ScheduledEventId))
            {
                return;
            }
            // Attempt-scoped timeouts are stale once that attempt ended; schedule-to-close is not.
            if (type != TimeoutType.ScheduleToClose && activity.Attempt != attempt)
            {
                return;
            }
            var failure = new Failure
            {
                Message = $"activity {TimeoutName(type)} timeout",
                Source = "Server",
                TimeoutFailureInfo = new TimeoutFailureInfo { TimeoutType = type, LastHeartbeatDetails = activity.HeartbeatDetails },
                Cause = type == TimeoutType.ScheduleToClose ? activity.LastFailure : null,
            };
            if (type is TimeoutType.ScheduleToClose or TimeoutType.ScheduleToStart)
            {
                FinishActivity(activity, activity.StartedIdentity, new HistoryEvent
                {
                    EventType = EventType.ActivityTaskTimedOut,
                    ActivityTaskTimedOutEventAttributes = new ActivityTaskTimedOutEventAttributes
                    {
                        Failure = failure,
                        ScheduledEventId = activity.ScheduledEventId,
                        StartedEventId = HistoryBuilder.StartedEventIdFromPrevious,
                        RetryState = RetryState.Timeout,
                    },
                });
            }
            else
            {
                EndAttemptWithFailure(activity, failure, activity.StartedIdentity, type);
            }
        }
        RequestTimeSkipCheck();
    }

    private static string TimeoutName(TimeoutType type) => type switch
    {
        TimeoutType.StartToClose => "StartToClose",
        TimeoutType.ScheduleToClose => "ScheduleToClose",
        TimeoutType.ScheduleToStart => "ScheduleToStart",
        TimeoutType.Heartbeat => "Heartbeat",
        _ => type.ToString(),
    };

    // RequestCancelActivityTask: an activity not yet running is cancelled at once; a running one
    // learns of it from its next heartbeat response and answers RespondActivityTaskCanceled.
    private bool RequestCancelActivity(WorkflowRun run, long scheduledEventId, long completedEventId)
    {
        var requested = run.History.Append(new HistoryEvent
        {
            EventType = EventType.ActivityTaskCancelRequested,
            ActivityTaskCancelRequestedEventAttributes = new ActivityTaskCancelRequestedEventAttributes
            {
                ScheduledEventId = scheduledEventId,
                WorkflowTaskCompletedEventId = completedEventId,
            },
        });
        if (!run.Activities.TryGetValue(scheduledEventId, out var activity))
        {
            return false;
        }
        activity.CancelRequested = true;
        activity.LatestCancelRequestedEventId = requested.EventId;
        if (activity.Phase == ActivityPhase.Started)
        {
            return false;
        }
        activity.StopAllTimers();
        run.Activities.Remove(scheduledEventId);
        run.History.Append(new HistoryEvent
        {
            EventType = EventType.ActivityTaskCanceled,
            ActivityTaskCanceledEventAttributes = new ActivityTaskCanceledEventAttributes
            {
                LatestCancelRequestedEventId = requested.EventId,
                ScheduledEventId = scheduledEventId,
            },
        });
        return true;
    }
}

internal sealed record ActivityLocator(string Namespace, string WorkflowId, string RunId, string ActivityId);
