using System.Globalization;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.History.V1;
using Temporalio.Api.Workflow.V1;
using Temporalio.Api.WorkflowService.V1;
using OpenDesign.Workflows.Temporal.TestServer.Grpc;
using OpenDesign.Workflows.Temporal.TestServer.Visibility;

namespace OpenDesign.Workflows.Temporal.TestServer.Engine;

// What clients (not workers) do to a workflow: signal, cancel, terminate, read history, describe, list.
internal sealed partial class TemporalEngine
{
    public void Signal(SignalWorkflowExecutionRequest request)
    {
        lock (_gate)
        {
            var run = FindRun(request.Namespace, request.WorkflowExecution.WorkflowId, request.WorkflowExecution.RunId);
            if (!run.IsOpen)
            {
                throw RpcErrors.WorkflowCompleted();
            }
            if (!string.IsNullOrEmpty(request.RequestId) && !run.SeenRequestIds.Add(request.RequestId))
            {
                return;
            }
            AddExternalEvent(run, new HistoryEvent
            {
                EventType = EventType.WorkflowExecutionSignaled,
                WorkflowExecutionSignaledEventAttributes = new WorkflowExecutionSignaledEventAttributes
                {
                    SignalName = request.SignalName,
                    Input = request.Input,
                    Identity = request.Identity,
                    Header = request.Header,
                },
            });
        }
        RequestTimeSkipCheck();
    }

    public void RequestCancel(RequestCancelWorkflowExecutionRequest request)
    {
        lock (_gate)
        {
            // An unknown execution is NotFound; a closed one (e.g. it completed while the request was on
            // its way) is a success with no effect, and so is a repeated request, as on a real server.
            var run = FindRun(request.Namespace, request.WorkflowExecution.WorkflowId, request.WorkflowExecution.RunId);
            if (!run.IsOpen || run.CancelRequested)
            {
                return;
            }
            run.CancelRequested = true;
            AddExternalEvent(run, new HistoryEvent
            {
                EventType = EventType.WorkflowExecutionCancelRequested,
                WorkflowExecutionCancelRequestedEventAttributes = new WorkflowExecutionCancelRequestedEventAttributes
                {
                    Cause = request.Reason,
                    Identity = request.Identity,
                },
            });
        }
        RequestTimeSkipCheck();
    }

    public void Terminate(TerminateWorkflowExecutionRequest request)
    {
        lock (_gate)
        {
            var run = FindRun(request.Namespace, request.WorkflowExecution.WorkflowId, request.WorkflowExecution.RunId);
            if (!run.IsOpen)
            {
                throw RpcErrors.WorkflowCompleted();
            }
            Terminate(run, request.Reason, request.Details, request.Identity);
        }
        RequestTimeSkipCheck();
    }

    // History reads. Three shapes, as the SDK uses them:
    //  - a plain read (paged by maximum_page_size, next_page_token = next event id);
    //  - wait_new_event with the CLOSE_EVENT filter (GetResultAsync): wait for the close event and
    //    return only it; on a long-poll timeout return an empty page WITH a token, because an empty
    //    page without one makes the SDK fail with "Event set unexpectedly empty";
    //  - wait_new_event for all events: wait until events past the token exist.
    public async Task<GetWorkflowExecutionHistoryResponse> GetHistoryAsync(GetWorkflowExecutionHistoryRequest request, CancellationToken cancellation)
    {
        WorkflowRun run;
        lock (_gate)
        {
            run = FindRun(request.Namespace, request.Execution.WorkflowId, request.Execution.RunId);
        }
        var closeOnly = request.HistoryEventFilterType == HistoryEventFilterType.CloseEvent;
        if (closeOnly)
        {
            if (request.WaitNewEvent && !run.Closed.Task.IsCompleted)
            {
                using (AwaitingResult())
                {
                    await WaitQuietlyAsync(run.Closed.Task, cancellation);
                }
            }
            lock (_gate)
            {
                if (run.IsOpen)
                {
                    return new GetWorkflowExecutionHistoryResponse { History = new History(), NextPageToken = ByteString.CopyFromUtf8("wait-close") };
                }
                var history = new History();
                history.Events.Add(run.History.Events[^1]);
                return new GetWorkflowExecutionHistoryResponse { History = history };
            }
        }

        var from = ParsePageToken(request.NextPageToken);
        if (request.WaitNewEvent)
        {
            Task changed;
            lock (_gate)
            {
                changed = run.History.Count >= from && run.IsOpen ? run.History.Changed : Task.CompletedTask;
            }
            await WaitQuietlyAsync(changed, cancellation);
        }
        lock (_gate)
        {
            var events = run.History.Events;
            var pageSize = request.MaximumPageSize > 0 ? request.MaximumPageSize : int.MaxValue;
            var page = events.Skip((int)from - 1).Take(pageSize).ToList();
            var next = from + page.Count;
            var response = new GetWorkflowExecutionHistoryResponse { History = new History() };
            response.History.Events.AddRange(page);
            // More to read now, or more may come and the caller asked to follow the run.
            if (next <= events.Count || (request.WaitNewEvent && run.IsOpen))
            {
                response.NextPageToken = ByteString.CopyFromUtf8(next.ToString(CultureInfo.InvariantCulture));
            }
            return response;
        }
    }

    private async Task WaitQuietlyAsync(Task task, CancellationToken cancellation)
    {
        try
        {
            await task.WaitAsync(Options.LongPollTimeout, cancellation);
        }
        catch (TimeoutException)
        {
            // The long poll ran out; the caller answers with a token so the client polls again.
        }
    }

    private static long ParsePageToken(ByteString token)
    {
        if (token.IsEmpty)
        {
            return 1;
        }
        return long.TryParse(token.ToStringUtf8(), NumberStyles.None, CultureInfo.InvariantCulture, out var from) && from >= 1
            ? from
            : throw RpcErrors.InvalidArgument("invalid next page token");
    }

    public DescribeWorkflowExecutionResponse Describe(DescribeWorkflowExecutionRequest request)
    {
        lock (_gate)
        {
            var run = FindRun(request.Namespace, request.Execution.WorkflowId, request.Execution.RunId);
            var response = new DescribeWorkflowExecutionResponse
            {
                ExecutionConfig = new WorkflowExecutionConfig
                {
                    TaskQueue = run.TaskQueue,
                    WorkflowExecutionTimeout = run.StartAttributes.WorkflowExecutionTimeout,
                    WorkflowRunTimeout = run.StartAttributes.WorkflowRunTimeout,
                    DefaultWorkflowTaskTimeout = run.StartAttributes.WorkflowTaskTimeout,
                    UserMetadata = run.UserMetadata,
                },
                WorkflowExecutionInfo = ExecutionInfo(run),
            };
            foreach (var activity in run.Activities.Values.OrderBy(a => a.ScheduledEventId))
            {
                var info = new PendingActivityInfo
                {
                    ActivityId = activity.ActivityId,
                    ActivityType = activity.Attributes.ActivityType,
                    State = activity.CancelRequested ? PendingActivityState.CancelRequested
                        : activity.Phase == ActivityPhase.Started ? PendingActivityState.Started
                        : PendingActivityState.Scheduled,
                    HeartbeatDetails = activity.HeartbeatDetails,
                    Attempt = activity.Attempt,
                    MaximumAttempts = activity.Attributes.RetryPolicy.MaximumAttempts,
                    ScheduledTime = Timestamp.FromDateTime(activity.AttemptScheduledTime),
                    LastFailure = activity.LastFailure,
                    LastWorkerIdentity = activity.StartedIdentity,
                };
                if (activity.LastHeartbeatTime is { } beat)
                {
                    info.LastHeartbeatTime = Timestamp.FromDateTime(beat);
                }
                if (activity.Phase == ActivityPhase.Started)
                {
                    info.LastStartedTime = Timestamp.FromDateTime(activity.StartedTime);
                }
                if (activity.NextAttemptTime is { } next)
                {
                    info.NextAttemptScheduleTime = Timestamp.FromDateTime(next);
                }
                if (!IsUnset(activity.Attributes.ScheduleToCloseTimeout))
                {
                    info.ExpirationTime = Timestamp.FromDateTime(activity.FirstScheduledTime + activity.Attributes.ScheduleToCloseTimeout.ToTimeSpan());
                }
                response.PendingActivities.Add(info);
            }
            if (run.WorkflowTask is { } task)
            {
                response.PendingWorkflowTask = new PendingWorkflowTaskInfo
                {
                    State = task.IsStarted ? PendingWorkflowTaskState.Started : PendingWorkflowTaskState.Scheduled,
                    ScheduledTime = Timestamp.FromDateTime(task.ScheduledTime),
                    OriginalScheduledTime = Timestamp.FromDateTime(task.ScheduledTime),
                    StartedTime = task.IsStarted ? Timestamp.FromDateTime(task.StartedTime) : null,
                    Attempt = task.Attempt,
                };
            }
            return response;
        }
    }

    private static WorkflowExecutionInfo ExecutionInfo(WorkflowRun run)
    {
        var info = new WorkflowExecutionInfo
        {
            Execution = run.Execution,
            Type = run.Type,
            StartTime = Timestamp.FromDateTime(run.StartTime),
            ExecutionTime = Timestamp.FromDateTime(run.StartTime),
            Status = run.Status,
            HistoryLength = run.History.Count,
            HistorySizeBytes = run.History.SizeBytes,
            Memo = run.Memo.Clone(),
            SearchAttributes = run.SearchAttributes.Clone(),
            TaskQueue = run.TaskQueue.Name,
            FirstRunId = run.FirstRunId,
            StateTransitionCount = run.History.Count,
        };
        if (run.CloseTime is { } closed)
        {
            info.CloseTime = Timestamp.FromDateTime(closed);
            info.ExecutionDuration = Duration.FromTimeSpan(closed - run.StartTime);
        }
        return info;
    }

    public ListWorkflowExecutionsResponse List(ListWorkflowExecutionsRequest request)
    {
        var query = ParseQuery(request.Query);
        lock (_gate)
        {
            RequireNamespaceLocked(request.Namespace);
            var offset = request.NextPageToken.IsEmpty ? 0 : (int)ParsePageToken(request.NextPageToken) - 1;
            var pageSize = request.PageSize > 0 ? request.PageSize : 1000;
            var matches = Matching(request.Namespace, query).Skip(offset).Take(pageSize + 1).ToList();
            var response = new ListWorkflowExecutionsResponse();
            response.Executions.AddRange(matches.Take(pageSize).Select(ExecutionInfo));
            if (matches.Count > pageSize)
            {
                response.NextPageToken = ByteString.CopyFromUtf8((offset + pageSize + 1).ToString(CultureInfo.InvariantCulture));
            }
            return response;
        }
    }

    public CountWorkflowExecutionsResponse Count(CountWorkflowExecutionsRequest request)
    {
        var query = ParseQuery(request.Query);
        lock (_gate)
        {
            RequireNamespaceLocked(request.Namespace);
            return new CountWorkflowExecutionsResponse { Count = Matching(request.Namespace, query).Count() };
        }
    }

    private VisibilityQuery ParseQuery(string text)
    {
        try
        {
            return VisibilityQuery.Parse(text, SearchAttributes);
        }
        catch (FormatException ex)
        {
            throw RpcErrors.InvalidArgument(ex.Message);
        }
    }

    // Newest start first, like a real server's default ordering.
    private IEnumerable<WorkflowRun> Matching(string ns, VisibilityQuery query) =>
        _runsByRunId.Values
            .Where(r => r.Namespace == ns)
            .OrderByDescending(r => r.Sequence)
            .Where(r => query.Matches(name => AttributeValue(r, name)));

    private object? AttributeValue(WorkflowRun run, string name)
    {
        switch (name)
        {
            case "WorkflowId": return run.WorkflowId;
            case "RunId": return run.RunId;
            case "WorkflowType": return run.Type.Name;
            case "TaskQueue": return run.TaskQueue.Name;
            case "ExecutionStatus": return StatusName(run.Status);
            case "StartTime":
            case "ExecutionTime": return run.StartTime;
            case "CloseTime": return run.CloseTime;
            case "HistoryLength": return (long)run.History.Count;
            case "ExecutionDuration": return run.CloseTime is { } c ? (long)(c - run.StartTime).TotalMilliseconds * 1_000_000 : null;
            default:
                if (run.SearchAttributes.IndexedFields.TryGetValue(name, out var payload) && SearchAttributes.TryGetType(name, out var type))
                {
                    return SearchAttributeRegistry.Decode(payload, type);
                }
                return null;
        }
    }

    // The visibility store's names for ExecutionStatus ('Running', 'Completed', 'ContinuedAsNew',
    // 'TimedOut', ...) are exactly the enum member names.
    private static string StatusName(WorkflowExecutionStatus status) => status.ToString();
}
