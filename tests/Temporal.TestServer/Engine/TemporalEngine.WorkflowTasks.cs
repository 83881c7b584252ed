using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Temporalio.Api.Common.V1;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.History.V1;
using Temporalio.Api.TaskQueue.V1;
using Temporalio.Api.WorkflowService.V1;
using OpenDesign.Workflows.Temporal.TestServer.Grpc;
using OpenDesign.Workflows.Temporal.TestServer.Visibility;

namespace OpenDesign.Workflows.Temporal.TestServer.Engine;

// Workflow tasks: scheduling, dispatch to pollers, completion, failure and timeout.
//
// Stickiness is ignored on purpose: sticky polls just wait and answer empty, and every task goes to
// the workflow's normal queue with the full history. Core accepts full histories for runs it has
// cached, so worker caching may stay on; it only costs replay time.
internal sealed partial class TemporalEngine
{
    private static QueueKey WorkflowQueue(WorkflowRun run) => new(run.Namespace, run.TaskQueue.Name, QueueKind.Workflow);

    // Ensures a workflow task will show the workflow its new events. With one started, the events
    // are buffered and the next task is scheduled when the current one finishes.
    private void ScheduleWorkflowTask(WorkflowRun run)
    {
        if (!run.IsOpen || run.WorkflowTask is not null)
        {
            return;
        }
        var attempt = run.NextWorkflowTaskAttempt;
        var scheduled = run.History.Append(new HistoryEvent
        {
            EventType = EventType.WorkflowTaskScheduled,
            WorkflowTaskScheduledEventAttributes = new WorkflowTaskScheduledEventAttributes
            {
                TaskQueue = run.TaskQueue,
                StartToCloseTimeout = run.StartAttributes.WorkflowTaskTimeout,
                Attempt = attempt,
            },
        });
        var task = new WorkflowTaskState { ScheduledEventId = scheduled.EventId, Attempt = attempt, ScheduledTime = Clock.UtcNow };
        run.WorkflowTask = task;
        Broker.Enqueue(WorkflowQueue(run), new WorkflowTaskDispatch(run, task));
    }

    // Events from outside the workflow (signals, activity results, timer fires, cancel requests).
    private void AddExternalEvent(WorkflowRun run, HistoryEvent e)
    {
        if (run.WorkflowTask is { IsStarted: true })
        {
            run.History.Buffer(e);
            return;
        }
        run.History.Append(e);
        ScheduleWorkflowTask(run);
    }

    public async Task<PollWorkflowTaskQueueResponse> PollWorkflowTaskAsync(PollWorkflowTaskQueueRequest request, CancellationToken cancellation)
    {
        RequireNamespace(request.Namespace);
        var key = new QueueKey(request.Namespace, request.TaskQueue?.Name ?? "", QueueKind.Workflow);
        var deadline = DateTime.UtcNow + Options.LongPollTimeout;
        if (request.TaskQueue?.Kind == TaskQueueKind.Sticky)
        {
            // Nothing is ever routed to sticky queues; keep the poller parked until the timeout.
            await Task.Delay(Options.LongPollTimeout, cancellation).ContinueWith(_ => { }, TaskScheduler.Default);
            return new PollWorkflowTaskQueueResponse();
        }
        while (true)
        {
            var remaining = deadline - DateTime.UtcNow;
            if (remaining <= TimeSpan.Zero)
            {
                return new PollWorkflowTaskQueueResponse();
            }
            var item = await Broker.TakeAsync(key, remaining, cancellation);
            if (item is null)
            {
                return new PollWorkflowTaskQueueResponse();
            }
            PollWorkflowTaskQueueResponse? response;
            lock (_gate)
            {
                response = item switch
                {
                    WorkflowTaskDispatch d => StartWorkflowTask(d, request.Identity),
                    QueryTaskDispatch q => StartQueryTask(q),
                    _ => null,
                };
            }
            if (response is not null)
            {
                RequestTimeSkipCheck();
                return response;
            }
        }
    }

    private PollWorkflowTaskQueueResponse? StartWorkflowTask(WorkflowTaskDispatch dispatch, string identity)
    {
        var (run, task) = dispatch;
        if (!run.IsOpen || !ReferenceEquals(run.WorkflowTask, task) || task.IsStarted)
        {
            return null;
        }
        var started = run.History.Append(new HistoryEvent
        {
            EventType = EventType.WorkflowTaskStarted,
            WorkflowTaskStartedEventAttributes = new WorkflowTaskStartedEventAttributes
            {
                ScheduledEventId = task.ScheduledEventId,
                Identity = identity,
                RequestId = Guid.NewGuid().ToString(),
                HistorySizeBytes = run.History.SizeBytes,
            },
        });
        task.StartedEventId = started.EventId;
        task.StartedTime = started.EventTime.ToDateTime();
        task.Token = IssueToken(new WorkflowTaskLease(run, task));
        var timeout = run.StartAttributes.WorkflowTaskTimeout.ToTimeSpan();
        task.Timeout = Clock.After(timeout, () => OnWorkflowTaskTimeout(run, task));
        return new PollWorkflowTaskQueueResponse
        {
            TaskToken = task.Token,
            WorkflowExecution = run.Execution,
            WorkflowType = run.Type,
            PreviousStartedEventId = run.LastCompletedStartedEventId,
            StartedEventId = task.StartedEventId,
            Attempt = task.Attempt,
            History = Snapshot(run),
            WorkflowExecutionTaskQueue = run.TaskQueue,
            ScheduledTime = Timestamp.FromDateTime(task.ScheduledTime),
            StartedTime = started.EventTime,
            BacklogCountHint = Broker.Backlog(WorkflowQueue(run)),
        };
    }

    private static History Snapshot(WorkflowRun run)
    {
        var history = new History();
        history.Events.AddRange(run.History.Events);
        return history;
    }

    public RespondWorkflowTaskCompletedResponse CompleteWorkflowTask(RespondWorkflowTaskCompletedRequest request)
    {
        try
        {
            lock (_gate)
            {
                var lease = ResolveToken<WorkflowTaskLease>(request.TaskToken, "Workflow task");
                var (run, task) = (lease.Run, lease.Task);
                if (!run.IsOpen || !ReferenceEquals(run.WorkflowTask, task))
                {
                    RevokeToken(request.TaskToken);
                    throw RpcErrors.NotFound("Workflow task not found.");
                }
                RevokeToken(request.TaskToken);
                task.Timeout?.Cancel();

                // A command that closes the workflow while unseen events wait in the buffer would
                // lose them: reject the whole task exactly like a real server (core matches the text).
                if (run.History.BufferedCount > 0 && request.Commands.Any(c => IsCloseCommand(c.CommandType)))
                {
                    FailWorkflowTaskLocked(run, task, WorkflowTaskFailedCause.UnhandledCommand, null, request.Identity, countsAsAttempt: false);
                    throw RpcErrors.InvalidArgument("UnhandledCommand");
                }
                if (ValidateCommands(run, request.Commands) is { } invalid)
                {
                    if (invalid.Unsupported)
                    {
                        FailRunForUnsupportedCommand(run, task, invalid.Message, request.Identity);
                        throw RpcErrors.Unimplemented(invalid.Message);
                    }
                    FailWorkflowTaskLocked(run, task, invalid.Cause, new Temporalio.Api.Failure.V1.Failure { Message = invalid.Message }, request.Identity, countsAsAttempt: true);
                    throw RpcErrors.InvalidArgument(invalid.Message);
                }

                var completed = run.History.Append(new HistoryEvent
                {
                    EventType = EventType.WorkflowTaskCompleted,
                    WorkflowTaskCompletedEventAttributes = new WorkflowTaskCompletedEventAttributes
                    {
                        ScheduledEventId = task.ScheduledEventId,
                        StartedEventId = task.StartedEventId,
                        Identity = request.Identity,
                        BinaryChecksum = request.BinaryChecksum,
                        // Core turns SDK flags on during replay from this; dropping it breaks replays.
                        SdkMetadata = request.SdkMetadata,
                        MeteringMetadata = request.MeteringMetadata,
                        WorkerVersion = request.WorkerVersionStamp,
                    },
                });
                run.WorkflowTask = null;
                run.NextWorkflowTaskAttempt = 1;
                run.LastCompletedStartedEventId = task.StartedEventId;
                RecordBinaryChecksum(run, request.BinaryChecksum);

                var needsTask = false;
                foreach (var command in request.Commands)
                {
                    needsTask |= ApplyCommand(run, command, completed.EventId, request.Identity);
                    if (!run.IsOpen)
                    {
                        break;
                    }
                }
                if (run.IsOpen)
                {
                    needsTask |= run.History.Flush() > 0;
                    if (needsTask || request.ForceCreateNewWorkflowTask)
                    {
                        ScheduleWorkflowTask(run);
                    }
                }
                DispatchQueries(run);
                return new RespondWorkflowTaskCompletedResponse();
            }
        }
        finally
        {
            RequestTimeSkipCheck();
        }
    }

    private static bool IsCloseCommand(CommandType type) => type is CommandType.CompleteWorkflowExecution
        or CommandType.FailWorkflowExecution
        or CommandType.CancelWorkflowExecution
        or CommandType.ContinueAsNewWorkflowExecution;

    public RespondWorkflowTaskFailedResponse FailWorkflowTask(RespondWorkflowTaskFailedRequest request)
    {
        lock (_gate)
        {
            var lease = ResolveToken<WorkflowTaskLease>(request.TaskToken, "Workflow task");
            RevokeToken(request.TaskToken);
            if (!lease.Run.IsOpen || !ReferenceEquals(lease.Run.WorkflowTask, lease.Task))
            {
                throw RpcErrors.NotFound("Workflow task not found.");
            }
            lease.Task.Timeout?.Cancel();
            FailWorkflowTaskLocked(lease.Run, lease.Task, request.Cause, request.Failure, request.Identity, countsAsAttempt: true);
            return new RespondWorkflowTaskFailedResponse();
        }
    }

    // Writes WorkflowTaskFailed, then whatever was buffered, then schedules the next attempt.
    private void FailWorkflowTaskLocked(
        WorkflowRun run,
        WorkflowTaskState task,
        WorkflowTaskFailedCause cause,
        Temporalio.Api.Failure.V1.Failure? failure,
        string identity,
        bool countsAsAttempt)
    {
        AppendWorkflowTaskFailed(run, task, cause, failure, identity);
        run.WorkflowTask = null;
        run.NextWorkflowTaskAttempt = countsAsAttempt ? task.Attempt + 1 : 1;
        run.History.Flush();
        ScheduleWorkflowTask(run);
    }

    private static HistoryEvent AppendWorkflowTaskFailed(
        WorkflowRun run, WorkflowTaskState task, WorkflowTaskFailedCause cause, Temporalio.Api.Failure.V1.Failure? failure, string identity) =>
        run.History.Append(new HistoryEvent
        {
            EventType = EventType.WorkflowTaskFailed,
            WorkflowTaskFailedEventAttributes = new WorkflowTaskFailedEventAttributes
            {
                ScheduledEventId = task.ScheduledEventId,
                StartedEventId = task.StartedEventId,
                Cause = cause,
                Failure = failure,
                Identity = identity,
            },
        });

    // Retrying a task whose commands this server cannot carry out would never end (the worker sends
    // the same commands again), so the task fails with the reason and the workflow fails visibly with it.
    private void FailRunForUnsupportedCommand(WorkflowRun run, WorkflowTaskState task, string message, string identity)
    {
        var failure = new Temporalio.Api.Failure.V1.Failure
        {
            Message = message,
            Source = "OpenDesign Temporal test server",
            ApplicationFailureInfo = new Temporalio.Api.Failure.V1.ApplicationFailureInfo { Type = "UnsupportedByTestServer", NonRetryable = true },
        };
        var failed = AppendWorkflowTaskFailed(run, task, WorkflowTaskFailedCause.Unspecified, failure, identity);
        run.WorkflowTask = null;
        run.History.Flush();
        run.History.Append(new HistoryEvent
        {
            EventType = EventType.WorkflowExecutionFailed,
            WorkflowExecutionFailedEventAttributes = new WorkflowExecutionFailedEventAttributes
            {
                Failure = failure,
                RetryState = RetryState.NonRetryableFailure,
                WorkflowTaskCompletedEventId = failed.EventId,
            },
        });
        CloseRun(run, WorkflowExecutionStatus.Failed);
    }

    // An unversioned worker sends its build id as the binary checksum; besides WorkflowTaskCompleted, a
    // real server lists every checksum that completed a task in the BinaryChecksums search attribute.
    private static void RecordBinaryChecksum(WorkflowRun run, string checksum)
    {
        const string name = "BinaryChecksums";
        if (string.IsNullOrEmpty(checksum))
        {
            return;
        }
        var known = run.SearchAttributes.IndexedFields.TryGetValue(name, out var payload)
            ? SearchAttributeRegistry.Decode(payload, IndexedValueType.KeywordList) as string[] ?? []
            : [];
        if (known.Contains(checksum, StringComparer.Ordinal))
        {
            return;
        }
        run.SearchAttributes.IndexedFields[name] = new Payload
        {
            Metadata =
            {
                ["encoding"] = Google.Protobuf.ByteString.CopyFromUtf8("json/plain"),
                ["type"] = Google.Protobuf.ByteString.CopyFromUtf8("KeywordList"),
            },
            Data = Google.Protobuf.ByteString.CopyFromUtf8(System.Text.Json.JsonSerializer.Serialize(known.Append(checksum).ToArray())),
        };
    }

    // The worker reports a failed task only on its first attempt and drops later ones silently, so
    // the start-to-close timeout is what keeps a broken or vanished worker from hanging the run.
    private void OnWorkflowTaskTimeout(WorkflowRun run, WorkflowTaskState task)
    {
        lock (_gate)
        {
            if (!run.IsOpen || !ReferenceEquals(run.WorkflowTask, task))
            {
                return;
            }
            RevokeToken(task.Token);
            run.History.Append(new HistoryEvent
            {
                EventType = EventType.WorkflowTaskTimedOut,
                WorkflowTaskTimedOutEventAttributes = new WorkflowTaskTimedOutEventAttributes
                {
                    ScheduledEventId = task.ScheduledEventId,
                    StartedEventId = task.StartedEventId,
                    TimeoutType = TimeoutType.StartToClose,
                },
            });
            run.WorkflowTask = null;
            run.NextWorkflowTaskAttempt = task.Attempt + 1;
            run.History.Flush();
            ScheduleWorkflowTask(run);
        }
    }

    // ---- closing ----

    // Closes a run from inside a workflow task completion (the close event is a command event).
    private void CloseRun(WorkflowRun run, WorkflowExecutionStatus status)
    {
        run.Status = status;
        run.CloseTime = Clock.UtcNow;
        run.WorkflowTask?.Timeout?.Cancel();
        RevokeToken(run.WorkflowTask?.Token);
        run.WorkflowTask = null;
        run.History.DiscardBuffer();
        run.RunTimeout?.Cancel();
        run.ExecutionTimeout?.Cancel();
        foreach (var timer in run.Timers.Values)
        {
            timer.Clock.Cancel();
        }
        run.Timers.Clear();
        foreach (var activity in run.Activities.Values)
        {
            activity.StopAllTimers();
            RevokeToken(activity.Token);
        }
        run.Activities.Clear();
        run.Closed.TrySetResult();
        DispatchQueries(run);
    }

    // Closes a run from outside (terminate, timeout): a started task is failed first, buffered events
    // are written, then the close event.
    private void ForceClose(WorkflowRun run, HistoryEvent closeEvent, WorkflowExecutionStatus status)
    {
        if (run.WorkflowTask is { IsStarted: true } task)
        {
            task.Timeout?.Cancel();
            RevokeToken(task.Token);
            run.History.Append(new HistoryEvent
            {
                EventType = EventType.WorkflowTaskFailed,
                WorkflowTaskFailedEventAttributes = new WorkflowTaskFailedEventAttributes
                {
                    ScheduledEventId = task.ScheduledEventId,
                    StartedEventId = task.StartedEventId,
                    Cause = WorkflowTaskFailedCause.ForceCloseCommand,
                },
            });
        }
        run.WorkflowTask = null;
        run.History.Flush();
        run.History.Append(closeEvent);
        CloseRun(run, status);
    }

    private void Terminate(WorkflowRun run, string reason, Payloads? details, string identity) =>
        ForceClose(run, new HistoryEvent
        {
            EventType = EventType.WorkflowExecutionTerminated,
            WorkflowExecutionTerminatedEventAttributes = new WorkflowExecutionTerminatedEventAttributes
            {
                Reason = reason,
                Details = details,
                Identity = identity,
            },
        }, WorkflowExecutionStatus.Terminated);

    // ---- queries ----

    // A reject condition is answered the way a real server does, with the status and no query task:
    // NotOpen refuses any closed run, NotCompletedCleanly any closed run that did not complete.
    private static bool RejectsQuery(QueryRejectCondition condition, WorkflowExecutionStatus status) => condition switch
    {
        QueryRejectCondition.NotOpen => status != WorkflowExecutionStatus.Running,
        QueryRejectCondition.NotCompletedCleanly => status is not (WorkflowExecutionStatus.Running or WorkflowExecutionStatus.Completed),
        _ => false,
    };

    public async Task<QueryWorkflowResponse> QueryWorkflowAsync(QueryWorkflowRequest request, CancellationToken cancellation)
    {
        PendingQuery query;
        lock (_gate)
        {
            var run = FindRun(request.Namespace, request.Execution.WorkflowId, request.Execution.RunId);
            if (RejectsQuery(request.QueryRejectCondition, run.Status))
            {
                return new QueryWorkflowResponse { QueryRejected = new Temporalio.Api.Query.V1.QueryRejected { Status = run.Status } };
            }
            query = new PendingQuery { Run = run, Query = request.Query };
            run.Queries.Add(query);
            DispatchQueries(run);
        }
        try
        {
            var result = await query.Result.Task.WaitAsync(cancellation);
            return new QueryWorkflowResponse { QueryResult = result };
        }
        finally
        {
            lock (_gate)
            {
                query.Run.Queries.Remove(query);
            }
            RequestTimeSkipCheck();
        }
    }

    // Queries go out as "legacy" query tasks, only while no workflow task is in flight, so the
    // worker answers from a history that ends at a completed task (or the close event).
    private void DispatchQueries(WorkflowRun run)
    {
        if (run.WorkflowTask is not null)
        {
            return;
        }
        foreach (var query in run.Queries.Where(q => !q.Dispatched))
        {
            query.Dispatched = true;
            Broker.Enqueue(WorkflowQueue(run), new QueryTaskDispatch(query));
        }
    }

    private PollWorkflowTaskQueueResponse? StartQueryTask(QueryTaskDispatch dispatch)
    {
        var query = dispatch.Query;
        var run = query.Run;
        if (query.Result.Task.IsCompleted || !run.Queries.Contains(query))
        {
            return null;
        }
        if (run.WorkflowTask is not null)
        {
            // A workflow task got scheduled meanwhile; send the query after it completes.
            query.Dispatched = false;
            return null;
        }
        return new PollWorkflowTaskQueueResponse
        {
            TaskToken = IssueToken(new QueryLease(query)),
            WorkflowExecution = run.Execution,
            WorkflowType = run.Type,
            PreviousStartedEventId = run.LastCompletedStartedEventId,
            StartedEventId = run.LastCompletedStartedEventId,
            Attempt = 1,
            History = Snapshot(run),
            Query = query.Query,
            WorkflowExecutionTaskQueue = run.TaskQueue,
        };
    }

    public RespondQueryTaskCompletedResponse CompleteQueryTask(RespondQueryTaskCompletedRequest request)
    {
        lock (_gate)
        {
            var lease = ResolveToken<QueryLease>(request.TaskToken, "Query task");
            RevokeToken(request.TaskToken);
            if (request.CompletedType == QueryResultType.Answered)
            {
                lease.Query.Result.TrySetResult(request.QueryResult);
            }
            else
            {
                lease.Query.Result.TrySetException(RpcErrors.QueryFailed(request.ErrorMessage, request.Failure));
            }
            return new RespondQueryTaskCompletedResponse();
        }
    }

    private static RpcException Unsupported(string what) =>
        new(new Status(StatusCode.Unimplemented, $"{what} is not supported by the OpenDesign Temporal test server"));
}
