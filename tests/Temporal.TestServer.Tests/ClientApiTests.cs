using OpenDesign.Workflows.Temporal.Testing;
using Temporalio.Api.Enums.V1;
using Temporalio.Client;
using Temporalio.Common;
using Temporalio.Converters;
using Temporalio.Exceptions;
using Temporalio.Testing;

namespace OpenDesign.Workflows.Temporal.TestServer.Tests;

[Collection(TemporalCollection.Name)]
public sealed class ClientApiTests(TemporalFixture fixture)
{
    private readonly ITemporalClient _client = fixture.Client;

    [Fact]
    public async Task Starting_a_running_workflow_id_again_follows_the_conflict_and_reuse_policies()
    {
        var queue = TemporalTestEnvironment.NewTaskQueue();
        var id = TemporalTestEnvironment.NewWorkflowId();
        await WorkerHarness.RunAsync(_client, queue, new TestActivities(), async () =>
        {
            var first = await _client.StartWorkflowAsync((SignalWaitWorkflow w) => w.RunAsync(1), new(id, queue));
            var error = await Assert.ThrowsAsync<WorkflowAlreadyStartedException>(() =>
                _client.StartWorkflowAsync((SignalWaitWorkflow w) => w.RunAsync(1), new(id, queue)));
            Assert.Equal(first.ResultRunId, error.RunId);

            var existing = await _client.StartWorkflowAsync((SignalWaitWorkflow w) => w.RunAsync(1), new(id, queue) { IdConflictPolicy = WorkflowIdConflictPolicy.UseExisting });
            Assert.Equal(first.ResultRunId, existing.ResultRunId);

            await first.SignalAsync(w => w.AddAsync("x"));
            await first.GetResultAsync();
            await Assert.ThrowsAsync<WorkflowAlreadyStartedException>(() =>
                _client.StartWorkflowAsync((SignalWaitWorkflow w) => w.RunAsync(1), new(id, queue) { IdReusePolicy = WorkflowIdReusePolicy.RejectDuplicate }));
            // The default policy allows a new run once the old one is closed.
            var second = await _client.StartWorkflowAsync((SignalWaitWorkflow w) => w.RunAsync(1), new(id, queue));
            Assert.NotEqual(first.ResultRunId, second.ResultRunId);
            await second.TerminateAsync("done");
            return 0;
        });
    }

    [Fact]
    public async Task Workflows_are_listed_by_search_attributes_set_at_start_and_upserted_later()
    {
        var queue = TemporalTestEnvironment.NewTaskQueue();
        var runId = $"run-{Guid.NewGuid():N}";
        await WorkerHarness.RunAsync(_client, queue, new TestActivities(), async () =>
        {
            var options = new WorkflowOptions(TemporalTestEnvironment.NewWorkflowId(), queue)
            {
                TypedSearchAttributes = new SearchAttributeCollection.Builder().Set(SearchableWorkflow.RunId, runId).ToSearchAttributeCollection(),
            };
            var h = await _client.StartWorkflowAsync((SearchableWorkflow w) => w.RunAsync(), options);
            var other = await _client.StartWorkflowAsync((SearchableWorkflow w) => w.RunAsync(), new(TemporalTestEnvironment.NewWorkflowId(), queue));

            await ActivityAndSignalTests.WaitUntilAsync(async () =>
                (await ListAsync($"OdRunId = '{runId}' AND OdMediaRequestStatus = 'submitted'")).Count == 1);
            var listed = Assert.Single(await ListAsync($"OdRunId = '{runId}'"));
            Assert.Equal(h.Id, listed.Id);
            Assert.Equal("SearchableWorkflow", listed.WorkflowType);

            await h.SignalAsync(w => w.FinishAsync());
            await h.GetResultAsync();
            await ActivityAndSignalTests.WaitUntilAsync(async () =>
                (await ListAsync($"OdRunId = '{runId}' AND OdMediaRequestStatus = 'fulfilled' AND ExecutionStatus = 'Completed'")).Count == 1);
            Assert.Contains(await ListAsync($"WorkflowType = 'SearchableWorkflow' AND TaskQueue = '{queue}'"), e => e.Id == other.Id);
            await Assert.ThrowsAsync<RpcException>(() => ListAsync("NoSuchAttribute = 'x'"));
            await other.TerminateAsync("done");
            await WorkerHarness.AssertReplaysAsync(h);
            return 0;
        });
    }

    [Fact]
    public async Task Describe_reports_status_memo_search_attributes_summary_and_pending_activities()
    {
        var queue = TemporalTestEnvironment.NewTaskQueue();
        var activities = new TestActivities();
        await WorkerHarness.RunAsync(_client, queue, activities, async () =>
        {
            var options = new WorkflowOptions(TemporalTestEnvironment.NewWorkflowId(), queue)
            {
                Memo = new Dictionary<string, object> { ["project"] = "p-1" },
                StaticSummary = "render a poster",
                TypedSearchAttributes = new SearchAttributeCollection.Builder().Set(SearchableWorkflow.RunId, "r-describe").ToSearchAttributeCollection(),
            };
            var h = await _client.StartWorkflowAsync((CancellableWorkflow w) => w.RunAsync(), options);
            await activities.LongActivityStarted.Task.WaitAsync(TimeSpan.FromSeconds(10));
            var description = await h.DescribeAsync();
            Assert.Equal(WorkflowExecutionStatus.Running, description.Status);
            Assert.Equal("CancellableWorkflow", description.WorkflowType);
            Assert.Equal(queue, description.TaskQueue);
            Assert.Equal("p-1", await description.Memo["project"].ToValueAsync<string>());
            Assert.Equal("r-describe", description.TypedSearchAttributes.Get(SearchableWorkflow.RunId));
            Assert.Equal("render a poster", await description.GetStaticSummaryAsync());
            var raw = await _client.WorkflowService.DescribeWorkflowExecutionAsync(new()
            {
                Namespace = _client.Options.Namespace,
                Execution = new() { WorkflowId = h.Id },
            });
            var pending = Assert.Single(raw.PendingActivities);
            Assert.Equal("LongRunning", pending.ActivityType.Name);
            Assert.Equal(PendingActivityState.Started, pending.State);
            await h.TerminateAsync("done");
            return 0;
        });
    }

    [Fact]
    public async Task The_test_server_starts_through_the_sdks_own_dev_server_launcher()
    {
        await using var env = await TestServerExecutable.StartThroughSdkAsync(new()
        {
            DevServerOptions = new() { ExistingPath = TestServerExecutable.Locate() },
            SearchAttributes = [SearchAttributeKey.CreateKeyword("LaunchedAttr")],
        });
        var queue = TemporalTestEnvironment.NewTaskQueue();
        var result = await WorkerHarness.RunAsync(env.Client, queue, new TestActivities(), async () =>
        {
            var options = new WorkflowOptions(TemporalTestEnvironment.NewWorkflowId(), queue)
            {
                TypedSearchAttributes = new SearchAttributeCollection.Builder().Set(SearchAttributeKey.CreateKeyword("LaunchedAttr"), "yes").ToSearchAttributeCollection(),
            };
            var h = await env.Client.StartWorkflowAsync((GreetingWorkflow w) => w.RunAsync("launcher"), options);
            var greeting = await h.GetResultAsync();
            var listed = new List<WorkflowExecution>();
            await foreach (var e in env.Client.ListWorkflowsAsync("LaunchedAttr = 'yes'"))
            {
                listed.Add(e);
            }
            Assert.Single(listed);
            return greeting;
        });
        Assert.Equal("Hello, launcher!", result);
    }

    private async Task<List<WorkflowExecution>> ListAsync(string query)
    {
        var list = new List<WorkflowExecution>();
        await foreach (var e in _client.ListWorkflowsAsync(query))
        {
            list.Add(e);
        }
        return list;
    }
}
