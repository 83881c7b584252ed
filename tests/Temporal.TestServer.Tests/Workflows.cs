using Temporalio.Activities;
using Temporalio.Common;
using Temporalio.Exceptions;
using Temporalio.Workflows;

namespace OpenDesign.Workflows.Temporal.TestServer.Tests;

// Small workflows covering what the product's external-media workflow relies on. Activities keep
// per-test state in instances (one per test) so tests can run in parallel.

public sealed class TestActivities
{
    private int _flakyCalls;
    private int _alwaysFailingCalls;

    public TaskCompletionSource LongActivityStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    public TaskCompletionSource<bool> LongActivitySawCancel { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    public TaskCompletionSource<string> CleanupRan { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    public int FlakyCalls => _flakyCalls;
    public int AlwaysFailingCalls => _alwaysFailingCalls;

    [Activity]
    public string Greet(string name) => $"Hello, {name}!";

    // Fails until its third attempt; the server does the retrying.
    [Activity]
    public int Flaky()
    {
        Interlocked.Increment(ref _flakyCalls);
        var attempt = ActivityExecutionContext.Current.Info.Attempt;
        return attempt < 3 ? throw new InvalidOperationException($"attempt {attempt} fails") : attempt;
    }

    [Activity]
    public void AlwaysFails()
    {
        Interlocked.Increment(ref _alwaysFailingCalls);
        throw new ApplicationFailureException("always fails", errorType: "Boom");
    }

    [Activity]
    public void NonRetryable()
    {
        Interlocked.Increment(ref _alwaysFailingCalls);
        throw new ApplicationFailureException("give up now", errorType: "Fatal", nonRetryable: true);
    }

    // Never heartbeats, so a heartbeat timeout ends it.
    [Activity]
    public async Task Silent() => await Task.Delay(TimeSpan.FromSeconds(5), ActivityExecutionContext.Current.CancellationToken);

    // Heartbeats until cancelled; the cancel reaches it through the heartbeat response.
    [Activity]
    public async Task LongRunning()
    {
        var context = ActivityExecutionContext.Current;
        LongActivityStarted.TrySetResult();
        try
        {
            while (true)
            {
                context.Heartbeat();
                await Task.Delay(100, context.CancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
            LongActivitySawCancel.TrySetResult(true);
            throw;
        }
    }

    [Activity]
    public string Cleanup(string reason)
    {
        CleanupRan.TrySetResult(reason);
        return "cleaned";
    }
}

[Workflow]
public sealed class GreetingWorkflow
{
    [WorkflowRun]
    public Task<string> RunAsync(string name) =>
        Workflow.ExecuteActivityAsync((TestActivities a) => a.Greet(name), new() { StartToCloseTimeout = TimeSpan.FromSeconds(10) });
}

[Workflow]
public sealed class SignalWaitWorkflow
{
    private readonly List<string> _received = [];
    private string _status = "waiting";

    [WorkflowRun]
    public async Task<string> RunAsync(int expected)
    {
        await Workflow.WaitConditionAsync(() => _received.Count >= expected);
        _status = "done";
        return string.Join(",", _received);
    }

    [WorkflowSignal]
    public Task AddAsync(string value)
    {
        _received.Add(value);
        return Task.CompletedTask;
    }

    [WorkflowQuery]
    public string Status() => $"{_status}:{_received.Count}";

    [WorkflowQuery]
    public string Broken() => throw new InvalidOperationException("query exploded");
}

[Workflow]
public sealed class CancellableWorkflow
{
    [WorkflowRun]
    public async Task RunAsync()
    {
        try
        {
            await Workflow.ExecuteActivityAsync(
                (TestActivities a) => a.LongRunning(),
                new()
                {
                    StartToCloseTimeout = TimeSpan.FromMinutes(1),
                    HeartbeatTimeout = TimeSpan.FromSeconds(5),
                    CancellationType = ActivityCancellationType.WaitCancellationCompleted,
                });
        }
        catch (Exception e) when (TemporalException.IsCanceledException(e))
        {
            // The workflow's own token is cancelled; cleanup runs on a detached one, so it still runs.
            using var detached = new CancellationTokenSource();
            await Workflow.ExecuteActivityAsync(
                (TestActivities a) => a.Cleanup("cancelled"),
                new() { StartToCloseTimeout = TimeSpan.FromSeconds(10), CancellationToken = detached.Token });
            throw;
        }
    }
}

[Workflow]
public sealed class DeadlineWorkflow
{
    private bool _fulfilled;

    // Waits for a "fulfil" signal until the deadline: the shape of the product's external request wait.
    [WorkflowRun]
    public async Task<string> RunAsync(TimeSpan deadline)
    {
        var started = Workflow.UtcNow;
        var fulfilled = await Workflow.WaitConditionAsync(() => _fulfilled, deadline);
        var waited = Workflow.UtcNow - started;
        return fulfilled ? "fulfilled" : $"deadline after {(int)waited.TotalMinutes} min";
    }

    [WorkflowSignal]
    public Task FulfilAsync()
    {
        _fulfilled = true;
        return Task.CompletedTask;
    }
}

[Workflow]
public sealed class TimerWorkflow
{
    [WorkflowRun]
    public async Task<double> RunAsync(TimeSpan delay)
    {
        var started = Workflow.UtcNow;
        await Workflow.DelayAsync(delay);
        return (Workflow.UtcNow - started).TotalMilliseconds;
    }
}

[Workflow]
public sealed class RetryWorkflow
{
    private static readonly RetryPolicy FastRetries = new()
    {
        InitialInterval = TimeSpan.FromMilliseconds(50),
        BackoffCoefficient = 2,
        MaximumAttempts = 3,
    };

    [WorkflowRun]
    public async Task<string> RunAsync(string mode)
    {
        try
        {
            switch (mode)
            {
                case "flaky":
                    var attempt = await Workflow.ExecuteActivityAsync((TestActivities a) => a.Flaky(), new() { StartToCloseTimeout = TimeSpan.FromSeconds(10), RetryPolicy = FastRetries });
                    return $"succeeded on attempt {attempt}";
                case "always":
                    await Workflow.ExecuteActivityAsync((TestActivities a) => a.AlwaysFails(), new() { StartToCloseTimeout = TimeSpan.FromSeconds(10), RetryPolicy = FastRetries });
                    break;
                case "nonretryable":
                    await Workflow.ExecuteActivityAsync((TestActivities a) => a.NonRetryable(), new() { StartToCloseTimeout = TimeSpan.FromSeconds(10), RetryPolicy = FastRetries });
                    break;
                case "heartbeat":
                    await Workflow.ExecuteActivityAsync((TestActivities a) => a.Silent(), new()
                    {
                        StartToCloseTimeout = TimeSpan.FromSeconds(30),
                        HeartbeatTimeout = TimeSpan.FromMilliseconds(500),
                        RetryPolicy = new() { MaximumAttempts = 1 },
                    });
                    break;
                default:
                    break;
            }
            return "no failure";
        }
        catch (ActivityFailureException e)
        {
            return e.InnerException switch
            {
                ApplicationFailureException app => $"{e.RetryState}:{app.ErrorType}:{app.Message}",
                TimeoutFailureException timeout => $"{e.RetryState}:timeout:{timeout.TimeoutType}",
                _ => $"{e.RetryState}:{e.InnerException?.GetType().Name}",
            };
        }
    }
}

[Workflow]
public sealed class SearchableWorkflow
{
    public static readonly SearchAttributeKey<string> RunId = SearchAttributeKey.CreateKeyword("OdRunId");
    public static readonly SearchAttributeKey<string> Status = SearchAttributeKey.CreateKeyword("OdMediaRequestStatus");

    private bool _finish;

    [WorkflowRun]
    public async Task RunAsync()
    {
        Workflow.UpsertTypedSearchAttributes(Status.ValueSet("submitted"));
        await Workflow.WaitConditionAsync(() => _finish);
        Workflow.UpsertTypedSearchAttributes(Status.ValueSet("fulfilled"));
    }

    [WorkflowSignal]
    public Task FinishAsync()
    {
        _finish = true;
        return Task.CompletedTask;
    }
}
