using Google.Protobuf.WellKnownTypes;
using Temporalio.Api.Command.V1;
using Temporalio.Api.Common.V1;
using Temporalio.Api.Sdk.V1;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.History.V1;
using Temporalio.Api.TaskQueue.V1;

namespace OpenDesign.Workflows.Temporal.TestServer.Engine;

// Turns the commands of a completed workflow task into history events, in order, each pointing at
// the WorkflowTaskCompleted event that produced it.
internal sealed partial class TemporalEngine
{
    // Unsupported: a command this server does not implement (child workflows, external signals, ...),
    // which fails the workflow instead of only the task, since retrying the task cannot succeed.
    private readonly record struct CommandRejection(WorkflowTaskFailedCause Cause, string Message, bool Unsupported = false);

    // Checked before anything is written, so a rejected task leaves no partial effects (a real
    // server fails the whole task the same way).
    private CommandRejection? ValidateCommands(WorkflowRun run, IEnumerable<Command> commands)
    {
        var newActivityIds = new HashSet<string>(StringComparer.Ordinal);
        var newTimerIds = new HashSet<string>(StringComparer.Ordinal);
        foreach (var command in commands)
        {
            switch (command.CommandType)
            {
                case CommandType.ScheduleActivityTask:
                {
                    var a = command.ScheduleActivityTaskCommandAttributes;
                    if (string.IsNullOrEmpty(a.ActivityId) || string.IsNullOrEmpty(a.ActivityType?.Name))
                    {
                        return new(WorkflowTaskFailedCause.BadScheduleActivityAttributes, "ActivityId and ActivityType are required.");
                    }
                    if (IsUnset(a.StartToCloseTimeout) && IsUnset(a.ScheduleToCloseTimeout))
                    {
                        return new(WorkflowTaskFailedCause.BadScheduleActivityAttributes, "A valid StartToClose or ScheduleToCloseTimeout is not set on ScheduleActivityTaskCommand.");
                    }
                    if (!newActivityIds.Add(a.ActivityId) || run.Activities.Values.Any(x => x.ActivityId == a.ActivityId))
                    {
                        return new(WorkflowTaskFailedCause.ScheduleActivityDuplicateId, $"Activity ID {a.ActivityId} is already in use.");
                    }
                    break;
                }
                case CommandType.StartTimer:
                {
                    var id = command.StartTimerCommandAttributes.TimerId;
                    if (!newTimerIds.Add(id) || run.Timers.ContainsKey(id))
                    {
                        return new(WorkflowTaskFailedCause.StartTimerDuplicateId, $"Timer ID {id} is already in use.");
                    }
                    break;
                }
                case CommandType.UpsertWorkflowSearchAttributes:
                    if (SearchAttributes.Validate(command.UpsertWorkflowSearchAttributesCommandAttributes.SearchAttributes) is { } bad)
                    {
                        return new(WorkflowTaskFailedCause.BadSearchAttributes, bad);
                    }
                    break;
                case CommandType.ContinueAsNewWorkflowExecution:
                    if (SearchAttributes.Validate(command.ContinueAsNewWorkflowExecutionCommandAttributes.SearchAttributes) is { } badCan)
                    {
                        return new(WorkflowTaskFailedCause.BadSearchAttributes, badCan);
                    }
                    break;
                case CommandType.RequestCancelActivityTask:
                case CommandType.CancelTimer:
                case CommandType.CompleteWorkflowExecution:
                case CommandType.FailWorkflowExecution:
                case CommandType.CancelWorkflowExecution:
                case CommandType.RecordMarker:
                case CommandType.ModifyWorkflowProperties:
                    break;
                default:
                    _logger.UnsupportedCommand(command.CommandType, run.WorkflowId);
                    return new(WorkflowTaskFailedCause.Unspecified, $"Command {command.CommandType} is not supported by the OpenDesign Temporal test server.", Unsupported: true);
            }
        }
        return null;
    }

    private static bool IsUnset(Duration? d) => d is null || d.ToTimeSpan() <= TimeSpan.Zero;

    // Returns true when the command produced an event the workflow has not seen yet (so another
    // workflow task is needed), e.g. cancelling an activity that never started.
    private bool ApplyCommand(WorkflowRun run, Command command, long completedEventId, string identity)
    {
        switch (command.CommandType)
        {
            case CommandType.ScheduleActivityTask:
                ScheduleActivity(run, command.ScheduleActivityTaskCommandAttributes, command.UserMetadata, completedEventId);
                return false;
            case CommandType.RequestCancelActivityTask:
                return RequestCancelActivity(run, command.RequestCancelActivityTaskCommandAttributes.ScheduledEventId, completedEventId);
            case CommandType.StartTimer:
                StartTimer(run, command.StartTimerCommandAttributes, command.UserMetadata, completedEventId);
                return false;
            case CommandType.CancelTimer:
                CancelTimer(run, command.CancelTimerCommandAttributes.TimerId, completedEventId, identity);
                return false;
            case CommandType.RecordMarker:
            {
                var a = command.RecordMarkerCommandAttributes;
                run.History.Append(new HistoryEvent
                {
                    EventType = EventType.MarkerRecorded,
                    UserMetadata = command.UserMetadata,
                    MarkerRecordedEventAttributes = new MarkerRecordedEventAttributes
                    {
                        MarkerName = a.MarkerName,
                        Details = { a.Details },
                        Header = a.Header,
                        Failure = a.Failure,
                        WorkflowTaskCompletedEventId = completedEventId,
                    },
                });
                return false;
            }
            case CommandType.UpsertWorkflowSearchAttributes:
            {
                var upsert = command.UpsertWorkflowSearchAttributesCommandAttributes.SearchAttributes;
                // An empty payload (or JSON null) removes the attribute.
                Upsert(run.SearchAttributes.IndexedFields, upsert.IndexedFields, v => v.Data.IsEmpty || v.Data.ToStringUtf8() == "null");
                run.History.Append(new HistoryEvent
                {
                    EventType = EventType.UpsertWorkflowSearchAttributes,
                    UpsertWorkflowSearchAttributesEventAttributes = new UpsertWorkflowSearchAttributesEventAttributes
                    {
                        SearchAttributes = upsert,
                        WorkflowTaskCompletedEventId = completedEventId,
                    },
                });
                return false;
            }
            case CommandType.ModifyWorkflowProperties:
            {
                var memo = command.ModifyWorkflowPropertiesCommandAttributes.UpsertedMemo;
                if (memo is not null)
                {
                    // An empty payload removes the memo field.
                    Upsert(run.Memo.Fields, memo.Fields, v => v.Data.IsEmpty);
                }
                run.History.Append(new HistoryEvent
                {
                    EventType = EventType.WorkflowPropertiesModified,
                    WorkflowPropertiesModifiedEventAttributes = new WorkflowPropertiesModifiedEventAttributes
                    {
                        UpsertedMemo = memo,
                        WorkflowTaskCompletedEventId = completedEventId,
                    },
                });
                return false;
            }
            case CommandType.CompleteWorkflowExecution:
                run.History.Append(new HistoryEvent
                {
                    EventType = EventType.WorkflowExecutionCompleted,
                    WorkflowExecutionCompletedEventAttributes = new WorkflowExecutionCompletedEventAttributes
                    {
                        Result = command.CompleteWorkflowExecutionCommandAttributes.Result,
                        WorkflowTaskCompletedEventId = completedEventId,
                    },
                });
                CloseRun(run, WorkflowExecutionStatus.Completed);
                return false;
            case CommandType.FailWorkflowExecution:
                // Workflow-level retry policies are not implemented: a failed run stays failed.
                run.History.Append(new HistoryEvent
                {
                    EventType = EventType.WorkflowExecutionFailed,
                    WorkflowExecutionFailedEventAttributes = new WorkflowExecutionFailedEventAttributes
                    {
                        Failure = command.FailWorkflowExecutionCommandAttributes.Failure,
                        RetryState = RetryState.RetryPolicyNotSet,
                        WorkflowTaskCompletedEventId = completedEventId,
                    },
                });
                CloseRun(run, WorkflowExecutionStatus.Failed);
                return false;
            case CommandType.CancelWorkflowExecution:
                run.History.Append(new HistoryEvent
                {
                    EventType = EventType.WorkflowExecutionCanceled,
                    WorkflowExecutionCanceledEventAttributes = new WorkflowExecutionCanceledEventAttributes
                    {
                        Details = command.CancelWorkflowExecutionCommandAttributes.Details,
                        WorkflowTaskCompletedEventId = completedEventId,
                    },
                });
                CloseRun(run, WorkflowExecutionStatus.Canceled);
                return false;
            case CommandType.ContinueAsNewWorkflowExecution:
                ContinueAsNew(run, command.ContinueAsNewWorkflowExecutionCommandAttributes, completedEventId, identity);
                return false;
            default:
                return false;
        }
    }

    private void StartTimer(WorkflowRun run, StartTimerCommandAttributes attributes, UserMetadata? metadata, long completedEventId)
    {
        var started = run.History.Append(new HistoryEvent
        {
            EventType = EventType.TimerStarted,
            UserMetadata = metadata,
            TimerStartedEventAttributes = new TimerStartedEventAttributes
            {
                TimerId = attributes.TimerId,
                StartToFireTimeout = attributes.StartToFireTimeout,
                WorkflowTaskCompletedEventId = completedEventId,
            },
        });
        var delay = attributes.StartToFireTimeout?.ToTimeSpan() ?? TimeSpan.Zero;
        var timerId = attributes.TimerId;
        var clock = Clock.After(delay, () => OnTimerFired(run, timerId, started.EventId));
        run.Timers[timerId] = new TimerState { TimerId = timerId, StartedEventId = started.EventId, Clock = clock };
    }

    private void OnTimerFired(WorkflowRun run, string timerId, long startedEventId)
    {
        lock (_gate)
        {
            if (!run.IsOpen || !run.Timers.TryGetValue(timerId, out var timer) || timer.StartedEventId != startedEventId)
            {
                return;
            }
            run.Timers.Remove(timerId);
            AddExternalEvent(run, new HistoryEvent
            {
                EventType = EventType.TimerFired,
                TimerFiredEventAttributes = new TimerFiredEventAttributes { TimerId = timerId, StartedEventId = startedEventId },
            });
        }
        RequestTimeSkipCheck();
    }

    private void CancelTimer(WorkflowRun run, string timerId, long completedEventId, string identity)
    {
        if (!run.Timers.Remove(timerId, out var timer))
        {
            return;
        }
        timer.Clock.Cancel();
        run.History.Append(new HistoryEvent
        {
            EventType = EventType.TimerCanceled,
            TimerCanceledEventAttributes = new TimerCanceledEventAttributes
            {
                TimerId = timerId,
                StartedEventId = timer.StartedEventId,
                WorkflowTaskCompletedEventId = completedEventId,
                Identity = identity,
            },
        });
    }

    private void ContinueAsNew(WorkflowRun run, ContinueAsNewWorkflowExecutionCommandAttributes a, long completedEventId, string identity)
    {
        var newRunId = Guid.NewGuid().ToString();
        run.History.Append(new HistoryEvent
        {
            EventType = EventType.WorkflowExecutionContinuedAsNew,
            WorkflowExecutionContinuedAsNewEventAttributes = new WorkflowExecutionContinuedAsNewEventAttributes
            {
                NewExecutionRunId = newRunId,
                WorkflowType = a.WorkflowType,
                TaskQueue = a.TaskQueue,
                Input = a.Input,
                WorkflowRunTimeout = a.WorkflowRunTimeout,
                WorkflowTaskTimeout = a.WorkflowTaskTimeout,
                WorkflowTaskCompletedEventId = completedEventId,
                BackoffStartInterval = a.BackoffStartInterval,
                Initiator = a.Initiator,
                Failure = a.Failure,
                LastCompletionResult = a.LastCompletionResult,
                Header = a.Header,
                Memo = a.Memo,
                SearchAttributes = a.SearchAttributes,
            },
        });
        CloseRun(run, WorkflowExecutionStatus.ContinuedAsNew);
        var spec = new StartSpec(
            run.Namespace,
            run.WorkflowId,
            string.IsNullOrEmpty(a.WorkflowType?.Name) ? run.Type : a.WorkflowType,
            string.IsNullOrEmpty(a.TaskQueue?.Name) ? run.TaskQueue : new TaskQueue { Name = a.TaskQueue.Name, Kind = TaskQueueKind.Normal },
            a.Input,
            run.StartAttributes.WorkflowExecutionTimeout,
            a.WorkflowRunTimeout ?? run.StartAttributes.WorkflowRunTimeout,
            a.WorkflowTaskTimeout ?? run.StartAttributes.WorkflowTaskTimeout,
            identity,
            Guid.NewGuid().ToString(),
            a.RetryPolicy,
            a.Memo ?? run.Memo,
            a.SearchAttributes ?? run.SearchAttributes,
            a.Header,
            null,
            Priority: run.StartAttributes.Priority,
            ContinuedExecutionRunId: run.RunId,
            FirstExecutionRunId: run.FirstRunId,
            LastCompletionResult: a.LastCompletionResult,
            ContinuedFailure: a.Failure,
            Initiator: a.Initiator);
        CreateRun(spec, signal: null, newRunId);
    }

    // Search attributes and memo share one upsert rule: set each field, or remove it when its payload says so.
    private static void Upsert(Google.Protobuf.Collections.MapField<string, Payload> target, Google.Protobuf.Collections.MapField<string, Payload> changes, Func<Payload, bool> removes)
    {
        foreach (var (name, value) in changes)
        {
            if (removes(value)) target.Remove(name);
            else target[name] = value;
        }
    }
}
