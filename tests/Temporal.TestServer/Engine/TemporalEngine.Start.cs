using Google.Protobuf.WellKnownTypes;
using Temporalio.Api.Common.V1;
using Temporalio.Api.Sdk.V1;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.History.V1;
using Temporalio.Api.TaskQueue.V1;
using Temporalio.Api.WorkflowService.V1;
using OpenDesign.Workflows.Temporal.TestServer.Grpc;

namespace OpenDesign.Workflows.Temporal.TestServer.Engine;

// Starting runs: id reuse and id conflict policies, request-id dedupe, and the first events.
internal sealed partial class TemporalEngine
{
    private sealed record StartSpec(
        string Namespace,
        string WorkflowId,
        WorkflowType Type,
        TaskQueue TaskQueue,
        Payloads? Input,
        Duration? ExecutionTimeout,
        Duration? RunTimeout,
        Duration? TaskTimeout,
        string Identity,
        string RequestId,
        RetryPolicy? RetryPolicy,
        Memo? Memo,
        SearchAttributes? SearchAttributes,
        Header? Header,
        UserMetadata? UserMetadata,
        Priority? Priority = null,
        string? ContinuedExecutionRunId = null,
        string? FirstExecutionRunId = null,
        Payloads? LastCompletionResult = null,
        Temporalio.Api.Failure.V1.Failure? ContinuedFailure = null,
        ContinueAsNewInitiator Initiator = ContinueAsNewInitiator.Unspecified);

    public StartWorkflowExecutionResponse StartWorkflow(StartWorkflowExecutionRequest request)
    {
        RefuseUnimplementedOptions(request.RetryPolicy, request.WorkflowStartDelay, request.CronSchedule);
        var spec = new StartSpec(
            request.Namespace, request.WorkflowId, request.WorkflowType, request.TaskQueue, request.Input,
            request.WorkflowExecutionTimeout, request.WorkflowRunTimeout, request.WorkflowTaskTimeout,
            request.Identity, request.RequestId, request.RetryPolicy, request.Memo, request.SearchAttributes,
            request.Header, request.UserMetadata, request.Priority);
        lock (_gate)
        {
            var (run, started) = StartOrReuse(spec, request.WorkflowIdReusePolicy, request.WorkflowIdConflictPolicy, signal: null);
            return new StartWorkflowExecutionResponse
            {
                RunId = run.RunId,
                Started = started,
                Status = run.Status,
            };
        }
    }

    public SignalWithStartWorkflowExecutionResponse SignalWithStart(SignalWithStartWorkflowExecutionRequest request)
    {
        RefuseUnimplementedOptions(request.RetryPolicy, request.WorkflowStartDelay, request.CronSchedule);
        var spec = new StartSpec(
            request.Namespace, request.WorkflowId, request.WorkflowType, request.TaskQueue, request.Input,
            request.WorkflowExecutionTimeout, request.WorkflowRunTimeout, request.WorkflowTaskTimeout,
            request.Identity, request.RequestId, request.RetryPolicy, request.Memo, request.SearchAttributes,
            request.Header, request.UserMetadata, request.Priority);
        var signal = new WorkflowExecutionSignaledEventAttributes
        {
            SignalName = request.SignalName,
            Input = request.SignalInput,
            Identity = request.Identity,
            Header = request.Header,
        };
        lock (_gate)
        {
            RequireNamespaceLocked(request.Namespace);
            var current = CurrentRun(request.Namespace, request.WorkflowId);
            if (current is { IsOpen: true })
            {
                AddExternalEvent(current, new HistoryEvent { EventType = EventType.WorkflowExecutionSignaled, WorkflowExecutionSignaledEventAttributes = signal });
                return new SignalWithStartWorkflowExecutionResponse { RunId = current.RunId, Started = false };
            }
            var (run, started) = StartOrReuse(spec, request.WorkflowIdReusePolicy, WorkflowIdConflictPolicy.UseExisting, signal);
            return new SignalWithStartWorkflowExecutionResponse { RunId = run.RunId, Started = started };
        }
    }

    // Workflow retries, delayed starts and cron runs are not implemented: accepting them would let a
    // test pass here that behaves differently on a real server, so the start is refused naming the option.
    private static void RefuseUnimplementedOptions(RetryPolicy? retryPolicy, Duration? startDelay, string cronSchedule)
    {
        if (retryPolicy is not null)
        {
            throw RpcErrors.Unimplemented("The OpenDesign Temporal test server does not implement workflow retry policies (RetryPolicy on a workflow start).");
        }
        if (startDelay is not null && startDelay.ToTimeSpan() > TimeSpan.Zero)
        {
            throw RpcErrors.Unimplemented("The OpenDesign Temporal test server does not implement StartDelay on a workflow start.");
        }
        if (!string.IsNullOrEmpty(cronSchedule))
        {
            throw RpcErrors.Unimplemented("The OpenDesign Temporal test server does not implement CronSchedule on a workflow start.");
        }
    }

    private void RequireNamespaceLocked(string ns)
    {
        if (!_namespaces.ContainsKey(ns))
        {
            throw RpcErrors.NamespaceNotFound(ns);
        }
    }

    private (WorkflowRun Run, bool Started) StartOrReuse(
        StartSpec spec,
        WorkflowIdReusePolicy reusePolicy,
        WorkflowIdConflictPolicy conflictPolicy,
        WorkflowExecutionSignaledEventAttributes? signal)
    {
        RequireNamespaceLocked(spec.Namespace);
        if (string.IsNullOrEmpty(spec.WorkflowId))
        {
            throw RpcErrors.InvalidArgument("WorkflowId is not set on request.");
        }
        if (string.IsNullOrEmpty(spec.Type?.Name))
        {
            throw RpcErrors.InvalidArgument("WorkflowType is not set on request.");
        }
        if (string.IsNullOrEmpty(spec.TaskQueue?.Name))
        {
            throw RpcErrors.InvalidArgument("TaskQueue is not set on request.");
        }
        if (SearchAttributes.Validate(spec.SearchAttributes) is { } invalid)
        {
            throw RpcErrors.InvalidArgument(invalid);
        }

        var current = CurrentRun(spec.Namespace, spec.WorkflowId);
        if (current is not null)
        {
            // A retried start (same request id) gets the run it already created.
            if (!string.IsNullOrEmpty(spec.RequestId) && current.StartRequestId == spec.RequestId)
            {
                return (current, true);
            }
            if (current.IsOpen)
            {
                switch (conflictPolicy)
                {
                    case WorkflowIdConflictPolicy.UseExisting:
                        return (current, false);
                    case WorkflowIdConflictPolicy.TerminateExisting:
                        Terminate(current, "terminated by a new start (WorkflowIdConflictPolicy.TerminateExisting)", null, spec.Identity);
                        break;
                    default:
                        if (reusePolicy == WorkflowIdReusePolicy.TerminateIfRunning)
                        {
                            Terminate(current, "terminated by a new start (WorkflowIdReusePolicy.TerminateIfRunning)", null, spec.Identity);
                            break;
                        }
                        throw RpcErrors.AlreadyStarted(current.WorkflowId, current.RunId, current.StartRequestId);
                }
            }
            else
            {
                var allowed = reusePolicy switch
                {
                    WorkflowIdReusePolicy.RejectDuplicate => false,
                    WorkflowIdReusePolicy.AllowDuplicateFailedOnly => current.Status is not (WorkflowExecutionStatus.Completed or WorkflowExecutionStatus.ContinuedAsNew),
                    _ => true,
                };
                if (!allowed)
                {
                    throw RpcErrors.AlreadyStarted(current.WorkflowId, current.RunId, current.StartRequestId);
                }
            }
        }
        return (CreateRun(spec, signal), true);
    }

    private WorkflowRun CreateRun(StartSpec spec, WorkflowExecutionSignaledEventAttributes? signal, string? runId = null)
    {
        var now = Clock.UtcNow;
        runId ??= Guid.NewGuid().ToString();
        var firstRunId = spec.FirstExecutionRunId ?? runId;
        var taskTimeout = spec.TaskTimeout is { } t && t.ToTimeSpan() > TimeSpan.Zero
            ? t
            : Duration.FromTimeSpan(Options.DefaultWorkflowTaskTimeout);
        var attributes = new WorkflowExecutionStartedEventAttributes
        {
            WorkflowId = spec.WorkflowId,
            WorkflowType = spec.Type,
            TaskQueue = new TaskQueue { Name = spec.TaskQueue.Name, Kind = TaskQueueKind.Normal },
            Input = spec.Input,
            WorkflowExecutionTimeout = spec.ExecutionTimeout,
            WorkflowRunTimeout = spec.RunTimeout,
            WorkflowTaskTimeout = taskTimeout,
            Identity = spec.Identity,
            OriginalExecutionRunId = runId,
            FirstExecutionRunId = firstRunId,
            ContinuedExecutionRunId = spec.ContinuedExecutionRunId ?? "",
            Initiator = spec.Initiator,
            LastCompletionResult = spec.LastCompletionResult,
            ContinuedFailure = spec.ContinuedFailure,
            RetryPolicy = spec.RetryPolicy,
            Attempt = 1,
            Memo = spec.Memo,
            SearchAttributes = spec.SearchAttributes,
            Header = spec.Header,
            Priority = spec.Priority,
        };
        if (spec.ExecutionTimeout is { } et && et.ToTimeSpan() > TimeSpan.Zero)
        {
            attributes.WorkflowExecutionExpirationTime = Timestamp.FromDateTime(now + et.ToTimeSpan());
        }

        var run = new WorkflowRun(spec.Namespace, spec.WorkflowId, runId, new HistoryBuilder(Clock))
        {
            Type = spec.Type,
            TaskQueue = attributes.TaskQueue,
            StartAttributes = attributes,
            StartRequestId = spec.RequestId,
            StartTime = now,
            UserMetadata = spec.UserMetadata,
            FirstRunId = firstRunId,
            Sequence = Interlocked.Increment(ref _runSequence),
            Memo = spec.Memo?.Clone() ?? new Memo(),
            SearchAttributes = spec.SearchAttributes?.Clone() ?? new SearchAttributes(),
        };
        var key = (spec.Namespace, spec.WorkflowId);
        if (!_runsByWorkflowId.TryGetValue(key, out var runs))
        {
            runs = [];
            _runsByWorkflowId[key] = runs;
        }
        runs.Add(run);
        _runsByRunId[(spec.Namespace, runId)] = run;

        run.History.Append(new HistoryEvent
        {
            EventType = EventType.WorkflowExecutionStarted,
            WorkflowExecutionStartedEventAttributes = attributes,
            UserMetadata = spec.UserMetadata,
        });
        if (signal is not null)
        {
            // Signal-with-start writes the signal before the first workflow task, as a real server does.
            run.History.Append(new HistoryEvent { EventType = EventType.WorkflowExecutionSignaled, WorkflowExecutionSignaledEventAttributes = signal });
        }
        ScheduleWorkflowTask(run);

        if (spec.RunTimeout is { } rt && rt.ToTimeSpan() > TimeSpan.Zero)
        {
            run.RunTimeout = Clock.After(rt.ToTimeSpan(), () => OnWorkflowTimeout(run));
        }
        if (attributes.WorkflowExecutionExpirationTime is { } expiry)
        {
            run.ExecutionTimeout = Clock.Schedule(expiry.ToDateTime(), () => OnWorkflowTimeout(run));
        }
        return run;
    }

    private void OnWorkflowTimeout(WorkflowRun run)
    {
        lock (_gate)
        {
            if (!run.IsOpen)
            {
                return;
            }
            ForceClose(run, new HistoryEvent
            {
                EventType = EventType.WorkflowExecutionTimedOut,
                WorkflowExecutionTimedOutEventAttributes = new WorkflowExecutionTimedOutEventAttributes { RetryState = RetryState.Timeout },
            }, WorkflowExecutionStatus.TimedOut);
        }
        RequestTimeSkipCheck();
    }
}
