using OpenDesign.Workflows.Temporal.Testing;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.History.V1;
using Temporalio.Client;
using Temporalio.Common;
using Temporalio.Exceptions;
using Temporalio.Worker;

namespace OpenDesign.Workflows.Temporal.TestServer.Tests;

// SDK features whose server side the test server must get right, or refuse clearly: found by running
// the SDK's own behaviour against it (a patch never progressing, a cancel racing a completion, options
// silently ignored, a child workflow retried forever).
[Collection(TemporalCollection.Name)]
public sealed class SdkFeatureTests(TemporalFixture fixture)
{
    private readonly ITemporalClient _client = fixture.Client;

    private static readonly SearchAttributeKey<IReadOnlyCollection<string>> ChangeVersion =
        SearchAttributeKey.CreateKeywordList("TemporalChangeVersion");

    private static readonly SearchAttributeKey<IReadOnlyCollection<string>> BinaryChecksums =
        SearchAttributeKey.CreateKeywordList("BinaryChecksums");

    private static TemporalWorkerOptions Options(string queue) =>
        WorkerHarness.Options(queue, new TestActivities()).AddWorkflow<PatchedWorkflow>().AddWorkflow<ChildStartingWorkflow>();

    [Fact]
    public async Task A_patched_workflow_takes_the_new_branch_and_records_its_change_version()
    {
        var queue = TemporalTestEnvironment.NewTaskQueue();
        using var worker = new TemporalWorker(_client, Options(queue));
        var handle = await worker.ExecuteAsync(async () =>
        {
            var h = await _client.StartWorkflowAsync((PatchedWorkflow w) => w.RunAsync(), new(TemporalTestEnvironment.NewWorkflowId(), queue));
            // The first outcome, so a refused upsert (a failed task, retried for ever) fails the test at once.
            var outcome = await FirstOutcomeAsync(h);
            Assert.Equal(EventType.WorkflowExecutionCompleted, outcome.EventType);
            Assert.Equal("patched", await h.GetResultAsync());
            return h;
        });

        var history = await handle.FetchHistoryAsync();
        Assert.Contains(history.Events, e => e.EventType == EventType.MarkerRecorded);
        var described = await handle.DescribeAsync();
        Assert.Equal([PatchedWorkflow.PatchId], described.TypedSearchAttributes.Get(ChangeVersion));
        await HistoryReplay.AssertReplaysAsync<PatchedWorkflow>(handle);
    }

    [Fact]
    public async Task Cancelling_a_completed_workflow_succeeds_without_effect_and_an_unknown_one_is_not_found()
    {
        var queue = TemporalTestEnvironment.NewTaskQueue();
        var handle = await WorkerHarness.RunAsync(_client, queue, new TestActivities(), async () =>
        {
            var h = await _client.StartWorkflowAsync((GreetingWorkflow w) => w.RunAsync("Ada"), new(TemporalTestEnvironment.NewWorkflowId(), queue));
            await h.GetResultAsync();
            return h;
        });
        var before = (await handle.FetchHistoryAsync()).Events.Count;

        await handle.CancelAsync();

        var after = await handle.FetchHistoryAsync();
        Assert.Equal(before, after.Events.Count);
        Assert.DoesNotContain(after.Events, e => e.EventType == EventType.WorkflowExecutionCancelRequested);
        Assert.Equal(WorkflowExecutionStatus.Completed, (await handle.DescribeAsync()).Status);

        var unknown = _client.GetWorkflowHandle(TemporalTestEnvironment.NewWorkflowId());
        var error = await Assert.ThrowsAsync<RpcException>(() => unknown.CancelAsync());
        Assert.Equal(RpcException.StatusCode.NotFound, error.Code);
    }

    [Theory]
    [InlineData("retry", "retry policies")]
    [InlineData("delay", "StartDelay")]
    [InlineData("cron", "CronSchedule")]
    public async Task Start_options_the_server_does_not_implement_are_refused_naming_the_option(string option, string named)
    {
        var options = new WorkflowOptions(TemporalTestEnvironment.NewWorkflowId(), TemporalTestEnvironment.NewTaskQueue());
        switch (option)
        {
            case "retry": options.RetryPolicy = new RetryPolicy { MaximumAttempts = 2 }; break;
            case "delay": options.StartDelay = TimeSpan.FromMinutes(1); break;
            default: options.CronSchedule = "*/5 * * * *"; break;
        }

        var error = await Assert.ThrowsAsync<RpcException>(() => _client.StartWorkflowAsync((PatchedWorkflow w) => w.RunAsync(), options));

        Assert.Equal(RpcException.StatusCode.Unimplemented, error.Code);
        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_child_workflow_fails_the_workflow_at_once_with_a_message_naming_the_command()
    {
        var queue = TemporalTestEnvironment.NewTaskQueue();
        using var worker = new TemporalWorker(_client, Options(queue));
        var error = await worker.ExecuteAsync(async () =>
        {
            var h = await _client.StartWorkflowAsync((ChildStartingWorkflow w) => w.RunAsync(), new(TemporalTestEnvironment.NewWorkflowId(), queue));
            // Not a task failure that the worker would retry for ever: the workflow itself fails.
            await FirstOutcomeAsync(h);
            Assert.Equal(EventType.WorkflowExecutionFailed, (await h.FetchHistoryAsync()).Events.Last().EventType);
            return await Assert.ThrowsAsync<WorkflowFailedException>(() => h.GetResultAsync());
        });

        var cause = Assert.IsType<ApplicationFailureException>(error.InnerException);
        Assert.Equal("UnsupportedByTestServer", cause.ErrorType);
        Assert.Contains("StartChildWorkflowExecution", cause.Message, StringComparison.Ordinal);
        Assert.Contains("not supported", cause.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_query_with_a_reject_condition_on_a_closed_run_is_rejected_with_its_status()
    {
        var queue = TemporalTestEnvironment.NewTaskQueue();
        var handle = await WorkerHarness.RunAsync(_client, queue, new TestActivities(), async () =>
        {
            var h = await _client.StartWorkflowAsync((SignalWaitWorkflow w) => w.RunAsync(1), new(TemporalTestEnvironment.NewWorkflowId(), queue));
            await h.SignalAsync(w => w.AddAsync("x"));
            await h.GetResultAsync();

            var rejected = await Assert.ThrowsAsync<WorkflowQueryRejectedException>(() =>
                h.QueryAsync(w => w.Status(), new() { RejectCondition = QueryRejectCondition.NotOpen }));
            Assert.Equal(WorkflowExecutionStatus.Completed, rejected.WorkflowStatus);
            // Completed cleanly: this condition lets the query through to the worker.
            Assert.Equal("done:1", await h.QueryAsync(w => w.Status(), new() { RejectCondition = QueryRejectCondition.NotCompletedCleanly }));
            return h;
        });
        await handle.TerminateAsync("unused").ContinueWith(_ => { }, TaskScheduler.Default);
    }

    [Fact]
    public async Task The_worker_build_id_and_the_workflow_priority_are_written_into_history()
    {
        var queue = TemporalTestEnvironment.NewTaskQueue();
        const string buildId = "od-build-7";
        var options = Options(queue);
#pragma warning disable CS0618 // The unversioned build id is still how a worker names its build.
        options.BuildId = buildId;
#pragma warning restore CS0618
        using var worker = new TemporalWorker(_client, options);
        var handle = await worker.ExecuteAsync(async () =>
        {
            var h = await _client.StartWorkflowAsync((GreetingWorkflow w) => w.RunAsync("Ada"),
                new(TemporalTestEnvironment.NewWorkflowId(), queue) { Priority = new Priority(priorityKey: 3) });
            await h.GetResultAsync();
            return h;
        });

        var history = await handle.FetchHistoryAsync();
        Assert.Equal(3, history.Events.First().WorkflowExecutionStartedEventAttributes.Priority?.PriorityKey);
        var completed = history.Events.First(e => e.EventType == EventType.WorkflowTaskCompleted);
#pragma warning disable CS0612 // Deprecated for versioned deployments, still what an unversioned worker's build id fills.
        Assert.Equal(buildId, completed.WorkflowTaskCompletedEventAttributes.BinaryChecksum);
#pragma warning restore CS0612
        var described = await handle.DescribeAsync();
        Assert.Equal([buildId], described.TypedSearchAttributes.Get(BinaryChecksums));
    }

    // The first workflow task failure or close event, whichever the server writes first.
    private static async Task<HistoryEvent> FirstOutcomeAsync(WorkflowHandle handle)
    {
        HistoryEvent? outcome = null;
        await ActivityAndSignalTests.WaitUntilAsync(async () =>
        {
            var history = await handle.FetchHistoryAsync();
            outcome = history.Events.FirstOrDefault(e => e.EventType is EventType.WorkflowTaskFailed or EventType.WorkflowTaskTimedOut
                or EventType.WorkflowExecutionCompleted or EventType.WorkflowExecutionFailed);
            return outcome is not null;
        });
        return outcome!;
    }
}
