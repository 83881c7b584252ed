using OpenDesign.Workflows.Temporal.Testing;
using OpenDesign.Workflows.Workflows;
using Temporalio.Api.Enums.V1;
using Temporalio.Client;
using Temporalio.Common;
using Temporalio.Worker;

namespace OpenDesign.Workflows.Api.Tests.External;

// A versioned change to a workflow: runs recorded by version 1 still replay under version 2 because the change is
// behind Workflow.Patched, new runs take the new branch, and the same change without the guard breaks the old runs.
[Collection(ExternalModeCollection.Name)]
public sealed class VersionedWorkflowTests(ExternalModeFixture fixture)
{
    private readonly ITemporalClient _client = fixture.Temporal.Client;

    [Fact]
    public async Task A_patched_change_replays_old_histories_and_new_runs_take_the_patched_branch()
    {
        var v1History = await RunToCompletionAsync<VersionedMediaRequestV1>(["submit", "fail"]);
        Assert.DoesNotContain(v1History.Events, e => e.EventType == EventType.MarkerRecorded);

        // Version 2 replays the version 1 history cleanly: Patched answers false where no marker was recorded.
        await ReplayAsync<VersionedMediaRequestV2>(v1History);

        // The same change without the guard cannot replay what version 1 recorded.
        var unguarded = await Assert.ThrowsAnyAsync<Exception>(() => ReplayAsync<VersionedMediaRequestV2Unguarded>(v1History));
        Assert.Contains("Nondeterminism", unguarded.ToString(), StringComparison.Ordinal);
        Assert.Contains("RecordMediaRequestProgress", unguarded.ToString(), StringComparison.Ordinal);

        // A new run of version 2 takes the patched branch, records the patch, and replays under version 2.
        var v2History = await RunToCompletionAsync<VersionedMediaRequestV2>(["submit", "progress:submitted", "fail"]);
        Assert.Contains(v2History.Events, e => e.EventType == EventType.MarkerRecorded);
        await ReplayAsync<VersionedMediaRequestV2>(v2History);
    }

    private async Task<WorkflowHistory> RunToCompletionAsync<TWorkflow>(string[] expectedCalls)
    {
        var queue = TemporalTestEnvironment.NewTaskQueue("versioned");
        var activities = new RecordingMediaRequestActivities();
        using var worker = new TemporalWorker(_client, new TemporalWorkerOptions(queue).AddWorkflow<TWorkflow>().AddAllActivities<IMediaRequestActivities>(activities));
        var history = await worker.ExecuteAsync(async () =>
        {
            var handle = await _client.StartWorkflowAsync(
                VersionedMediaRequest.Name, ["mreq_versioned"], new(TemporalTestEnvironment.NewWorkflowId(), queue));
            Assert.Equal("failed", await handle.GetResultAsync<string>());
            return await handle.FetchHistoryAsync();
        });
        Assert.Equal(expectedCalls, activities.Calls);
        return history;
    }

    private static async Task ReplayAsync<TWorkflow>(WorkflowHistory history)
    {
        var replayer = new WorkflowReplayer(new WorkflowReplayerOptions().AddWorkflow<TWorkflow>());
        await replayer.ReplayWorkflowAsync(history, throwOnReplayFailure: true);
    }
}
