using OpenDesign.Workflows.Temporal.Testing;
using Temporalio.Api.Enums.V1;
using Temporalio.Client;
using Temporalio.Exceptions;

namespace OpenDesign.Workflows.Temporal.TestServer.Tests;

[Collection(TemporalCollection.Name)]
public sealed class ActivityAndSignalTests(TemporalFixture fixture)
{
    private readonly ITemporalClient _client = fixture.Client;

    [Fact]
    public async Task A_workflow_runs_an_activity_and_returns_its_result()
    {
        var queue = TemporalTestEnvironment.NewTaskQueue();
        var handle = await WorkerHarness.RunAsync(_client, queue, new TestActivities(), async () =>
        {
            var h = await _client.StartWorkflowAsync((GreetingWorkflow w) => w.RunAsync("Temporal"), new(TemporalTestEnvironment.NewWorkflowId(), queue));
            Assert.Equal("Hello, Temporal!", await h.GetResultAsync());
            return h;
        });
        var history = await handle.FetchHistoryAsync();
        var types = history.Events.Select(e => e.EventType).ToList();
        Assert.Equal(EventType.WorkflowExecutionStarted, types[0]);
        Assert.Equal(EventType.WorkflowTaskScheduled, types[1]);
        Assert.Equal(EventType.WorkflowTaskStarted, types[2]);
        Assert.Contains(EventType.ActivityTaskStarted, types);
        Assert.Equal(EventType.WorkflowExecutionCompleted, types[^1]);
        Assert.Equal(Enumerable.Range(1, types.Count).Select(i => (long)i), history.Events.Select(e => e.EventId));
        await WorkerHarness.AssertReplaysAsync(handle);
    }

    [Fact]
    public async Task A_workflow_waits_for_signals_and_answers_queries_meanwhile()
    {
        var queue = TemporalTestEnvironment.NewTaskQueue();
        var handle = await WorkerHarness.RunAsync(_client, queue, new TestActivities(), async () =>
        {
            var h = await _client.StartWorkflowAsync((SignalWaitWorkflow w) => w.RunAsync(2), new(TemporalTestEnvironment.NewWorkflowId(), queue));
            await h.SignalAsync(w => w.AddAsync("a"));
            await WaitUntilAsync(async () => await h.QueryAsync(w => w.Status()) == "waiting:1");
            await h.SignalAsync(w => w.AddAsync("b"));
            Assert.Equal("a,b", await h.GetResultAsync());
            // Queries still work on a closed workflow: the worker replays it to answer.
            Assert.Equal("done:2", await h.QueryAsync(w => w.Status()));
            return h;
        });
        await WorkerHarness.AssertReplaysAsync(handle);
    }

    [Fact]
    public async Task A_failing_query_surfaces_as_WorkflowQueryFailedException()
    {
        var queue = TemporalTestEnvironment.NewTaskQueue();
        await WorkerHarness.RunAsync(_client, queue, new TestActivities(), async () =>
        {
            var h = await _client.StartWorkflowAsync((SignalWaitWorkflow w) => w.RunAsync(1), new(TemporalTestEnvironment.NewWorkflowId(), queue));
            var error = await Assert.ThrowsAsync<WorkflowQueryFailedException>(() => h.QueryAsync(w => w.Broken()));
            Assert.Contains("query exploded", error.Message);
            await h.TerminateAsync("done with the test");
            return 0;
        });
    }

    [Fact]
    public async Task Signals_sent_in_a_burst_while_tasks_run_are_all_delivered()
    {
        var queue = TemporalTestEnvironment.NewTaskQueue();
        const int count = 30;
        var handle = await WorkerHarness.RunAsync(_client, queue, new TestActivities(), async () =>
        {
            var h = await _client.StartWorkflowAsync((SignalWaitWorkflow w) => w.RunAsync(count), new(TemporalTestEnvironment.NewWorkflowId(), queue));
            await Task.WhenAll(Enumerable.Range(0, count).Select(i => h.SignalAsync(w => w.AddAsync(i.ToString(System.Globalization.CultureInfo.InvariantCulture)))));
            var result = await h.GetResultAsync();
            Assert.Equal(count, result.Split(',').Distinct().Count());
            return h;
        });
        await WorkerHarness.AssertReplaysAsync(handle);
    }

    [Fact]
    public async Task Signal_with_start_starts_the_workflow_with_the_signal_already_delivered()
    {
        var queue = TemporalTestEnvironment.NewTaskQueue();
        var id = TemporalTestEnvironment.NewWorkflowId();
        var handle = await WorkerHarness.RunAsync(_client, queue, new TestActivities(), async () =>
        {
            var options = new WorkflowOptions(id, queue);
            options.SignalWithStart((SignalWaitWorkflow w) => w.AddAsync("first"));
            var h = await _client.StartWorkflowAsync((SignalWaitWorkflow w) => w.RunAsync(2), options);
            // A second signal-with-start on the running workflow only signals it.
            var again = new WorkflowOptions(id, queue);
            again.SignalWithStart((SignalWaitWorkflow w) => w.AddAsync("second"));
            var h2 = await _client.StartWorkflowAsync((SignalWaitWorkflow w) => w.RunAsync(2), again);
            Assert.Equal(h.ResultRunId, h2.ResultRunId);
            Assert.Equal("first,second", await h.GetResultAsync());
            return h;
        });
        await WorkerHarness.AssertReplaysAsync(handle);
    }

    [Fact]
    public async Task A_workflow_waiting_for_a_signal_survives_a_worker_restart()
    {
        var queue = TemporalTestEnvironment.NewTaskQueue();
        var id = TemporalTestEnvironment.NewWorkflowId();
        var h = await WorkerHarness.RunAsync(_client, queue, new TestActivities(), async () =>
        {
            var started = await _client.StartWorkflowAsync((SignalWaitWorkflow w) => w.RunAsync(1), new(id, queue));
            await WaitUntilAsync(async () => await started.QueryAsync(w => w.Status()) == "waiting:0");
            return started;
        });
        // No worker now: the signal is recorded and waits for the next one.
        await h.SignalAsync(w => w.AddAsync("after restart"));
        var result = await WorkerHarness.RunAsync(_client, queue, new TestActivities(), () => h.GetResultAsync());
        Assert.Equal("after restart", result);
        await WorkerHarness.AssertReplaysAsync(h);
    }

    internal static async Task WaitUntilAsync(Func<Task<bool>> condition, int timeoutMs = 10_000)
    {
        var deadline = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("condition not met in time");
            }
            await Task.Delay(50);
        }
    }
}
