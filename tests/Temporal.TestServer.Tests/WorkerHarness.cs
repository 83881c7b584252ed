using OpenDesign.Workflows.Temporal.Testing;
using Temporalio.Client;
using Temporalio.Worker;

namespace OpenDesign.Workflows.Temporal.TestServer.Tests;

// Runs a test body while a real SDK worker serves a fresh task queue, and replays every workflow
// the body names once it is done.
internal static class WorkerHarness
{
    public static TemporalWorkerOptions Options(string taskQueue, TestActivities activities) =>
        AddWorkflows(new TemporalWorkerOptions(taskQueue).AddAllActivities(activities));

    public static WorkflowReplayerOptions AddWorkflows(WorkflowReplayerOptions options) =>
        options.AddWorkflow<GreetingWorkflow>().AddWorkflow<SignalWaitWorkflow>().AddWorkflow<CancellableWorkflow>()
            .AddWorkflow<DeadlineWorkflow>().AddWorkflow<TimerWorkflow>().AddWorkflow<RetryWorkflow>().AddWorkflow<SearchableWorkflow>();

    private static TemporalWorkerOptions AddWorkflows(TemporalWorkerOptions options) =>
        options.AddWorkflow<GreetingWorkflow>().AddWorkflow<SignalWaitWorkflow>().AddWorkflow<CancellableWorkflow>()
            .AddWorkflow<DeadlineWorkflow>().AddWorkflow<TimerWorkflow>().AddWorkflow<RetryWorkflow>().AddWorkflow<SearchableWorkflow>();

    public static async Task<T> RunAsync<T>(ITemporalClient client, string taskQueue, TestActivities activities, Func<Task<T>> body)
    {
        using var worker = new TemporalWorker(client, Options(taskQueue, activities));
        return await worker.ExecuteAsync(body);
    }

    public static Task AssertReplaysAsync(WorkflowHandle handle) =>
        HistoryReplay.AssertReplaysAsync(handle, o => AddWorkflows(o));
}
