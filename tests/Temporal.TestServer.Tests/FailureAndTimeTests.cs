using OpenDesign.Workflows.Temporal.Testing;
using Temporalio.Api.Enums.V1;
using Temporalio.Client;
using Temporalio.Exceptions;

namespace OpenDesign.Workflows.Temporal.TestServer.Tests;

[Collection(TemporalCollection.Name)]
public sealed class FailureAndTimeTests(TemporalFixture fixture)
{
    private readonly ITemporalClient _client = fixture.Client;

    [Fact]
    public async Task Cancelling_a_waiting_workflow_cancels_its_activity_and_still_runs_the_cleanup_activity()
    {
        var queue = TemporalTestEnvironment.NewTaskQueue();
        var activities = new TestActivities();
        var handle = await WorkerHarness.RunAsync(_client, queue, activities, async () =>
        {
            var h = await _client.StartWorkflowAsync((CancellableWorkflow w) => w.RunAsync(), new(TemporalTestEnvironment.NewWorkflowId(), queue));
            await activities.LongActivityStarted.Task.WaitAsync(TimeSpan.FromSeconds(10));
            await h.CancelAsync();
            var error = await Assert.ThrowsAsync<WorkflowFailedException>(() => h.GetResultAsync());
            Assert.IsType<CanceledFailureException>(error.InnerException);
            Assert.True(await activities.LongActivitySawCancel.Task.WaitAsync(TimeSpan.FromSeconds(5)));
            Assert.Equal("cancelled", await activities.CleanupRan.Task.WaitAsync(TimeSpan.FromSeconds(5)));
            return h;
        });
        var events = (await handle.FetchHistoryAsync()).Events.Select(e => e.EventType).ToList();
        Assert.Contains(EventType.WorkflowExecutionCancelRequested, events);
        Assert.Contains(EventType.ActivityTaskCancelRequested, events);
        Assert.Contains(EventType.ActivityTaskCanceled, events);
        Assert.Equal(EventType.WorkflowExecutionCanceled, events[^1]);
        await WorkerHarness.AssertReplaysAsync(handle);
    }

    [Fact]
    public async Task A_timer_fires_after_its_duration_and_workflow_time_moves_with_it()
    {
        var queue = TemporalTestEnvironment.NewTaskQueue();
        var handle = await WorkerHarness.RunAsync(_client, queue, new TestActivities(), async () =>
        {
            var h = await _client.StartWorkflowAsync((TimerWorkflow w) => w.RunAsync(TimeSpan.FromMilliseconds(700)), new(TemporalTestEnvironment.NewWorkflowId(), queue));
            Assert.True(await h.GetResultAsync() >= 700);
            return h;
        });
        var events = (await handle.FetchHistoryAsync()).Events.Select(e => e.EventType).ToList();
        Assert.Contains(EventType.TimerStarted, events);
        Assert.Contains(EventType.TimerFired, events);
        await WorkerHarness.AssertReplaysAsync(handle);
    }

    [Fact]
    public async Task A_signal_before_the_deadline_cancels_the_deadline_timer()
    {
        var queue = TemporalTestEnvironment.NewTaskQueue();
        var handle = await WorkerHarness.RunAsync(_client, queue, new TestActivities(), async () =>
        {
            var h = await _client.StartWorkflowAsync((DeadlineWorkflow w) => w.RunAsync(TimeSpan.FromHours(1)), new(TemporalTestEnvironment.NewWorkflowId(), queue));
            // Signal only once the deadline timer exists; a signal that arrives first means no timer is ever started.
            while (!(await h.FetchHistoryAsync()).Events.Any(e => e.EventType == EventType.TimerStarted)) await Task.Delay(20);
            await h.SignalAsync(w => w.FulfilAsync());
            Assert.Equal("fulfilled", await h.GetResultAsync());
            return h;
        });
        Assert.Contains(EventType.TimerCanceled, (await handle.FetchHistoryAsync()).Events.Select(e => e.EventType));
        await WorkerHarness.AssertReplaysAsync(handle);
    }

    [Fact]
    public async Task An_activity_is_retried_with_backoff_until_it_succeeds()
    {
        var queue = TemporalTestEnvironment.NewTaskQueue();
        var activities = new TestActivities();
        var handle = await WorkerHarness.RunAsync(_client, queue, activities, async () =>
        {
            var h = await _client.StartWorkflowAsync((RetryWorkflow w) => w.RunAsync("flaky"), new(TemporalTestEnvironment.NewWorkflowId(), queue));
            Assert.Equal("succeeded on attempt 3", await h.GetResultAsync());
            return h;
        });
        Assert.Equal(3, activities.FlakyCalls);
        var history = await handle.FetchHistoryAsync();
        // Retries leave no events: one ActivityTaskStarted carrying the final attempt and last failure.
        var started = Assert.Single(history.Events, e => e.EventType == EventType.ActivityTaskStarted);
        Assert.Equal(3, started.ActivityTaskStartedEventAttributes.Attempt);
        Assert.Contains("attempt 2 fails", started.ActivityTaskStartedEventAttributes.LastFailure.Message);
        await WorkerHarness.AssertReplaysAsync(handle);
    }

    [Fact]
    public async Task An_activity_that_keeps_failing_gives_up_after_maximum_attempts()
    {
        var queue = TemporalTestEnvironment.NewTaskQueue();
        var activities = new TestActivities();
        var handle = await WorkerHarness.RunAsync(_client, queue, activities, async () =>
        {
            var h = await _client.StartWorkflowAsync((RetryWorkflow w) => w.RunAsync("always"), new(TemporalTestEnvironment.NewWorkflowId(), queue));
            Assert.Equal("MaximumAttemptsReached:Boom:always fails", await h.GetResultAsync());
            return h;
        });
        Assert.Equal(3, activities.AlwaysFailingCalls);
        await WorkerHarness.AssertReplaysAsync(handle);
    }

    [Fact]
    public async Task A_non_retryable_failure_is_not_retried()
    {
        var queue = TemporalTestEnvironment.NewTaskQueue();
        var activities = new TestActivities();
        var handle = await WorkerHarness.RunAsync(_client, queue, activities, async () =>
        {
            var h = await _client.StartWorkflowAsync((RetryWorkflow w) => w.RunAsync("nonretryable"), new(TemporalTestEnvironment.NewWorkflowId(), queue));
            Assert.Equal("NonRetryableFailure:Fatal:give up now", await h.GetResultAsync());
            return h;
        });
        Assert.Equal(1, activities.AlwaysFailingCalls);
        await WorkerHarness.AssertReplaysAsync(handle);
    }

    [Fact]
    public async Task An_activity_that_stops_heartbeating_times_out()
    {
        var queue = TemporalTestEnvironment.NewTaskQueue();
        var handle = await WorkerHarness.RunAsync(_client, queue, new TestActivities(), async () =>
        {
            var h = await _client.StartWorkflowAsync((RetryWorkflow w) => w.RunAsync("heartbeat"), new(TemporalTestEnvironment.NewWorkflowId(), queue));
            Assert.Equal("MaximumAttemptsReached:timeout:Heartbeat", await h.GetResultAsync());
            return h;
        });
        Assert.Contains(EventType.ActivityTaskTimedOut, (await handle.FetchHistoryAsync()).Events.Select(e => e.EventType));
        await WorkerHarness.AssertReplaysAsync(handle);
    }

    [Fact]
    public async Task Terminating_a_workflow_fails_its_result_with_a_terminated_failure()
    {
        var queue = TemporalTestEnvironment.NewTaskQueue();
        await WorkerHarness.RunAsync(_client, queue, new TestActivities(), async () =>
        {
            var h = await _client.StartWorkflowAsync((SignalWaitWorkflow w) => w.RunAsync(1), new(TemporalTestEnvironment.NewWorkflowId(), queue));
            await h.TerminateAsync("stop it");
            var error = await Assert.ThrowsAsync<WorkflowFailedException>(() => h.GetResultAsync());
            Assert.IsType<TerminatedFailureException>(error.InnerException);
            Assert.Equal(WorkflowExecutionStatus.Terminated, (await h.DescribeAsync()).Status);
            // A closed workflow cannot be signalled.
            await Assert.ThrowsAsync<RpcException>(() => h.SignalAsync(w => w.AddAsync("late")));
            return 0;
        });
    }
}
