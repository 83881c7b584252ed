using Temporalio.Client;
using Temporalio.Worker;

namespace OpenDesign.Workflows.Temporal.Testing;

// Replays a finished workflow's history through the SDK's WorkflowReplayer. A nondeterminism error
// (the workflow code no longer produces the recorded commands) throws, which fails the test. On the
// in-process server this also checks the server: a history it built wrongly does not replay.
public static class HistoryReplay
{
    // `configure` registers the workflow classes, e.g. o => o.AddWorkflow<MyWorkflow>().
    public static async Task AssertReplaysAsync(WorkflowHandle handle, Action<WorkflowReplayerOptions> configure)
    {
        var history = await handle.FetchHistoryAsync();
        var options = new WorkflowReplayerOptions();
        configure(options);
        var result = await new WorkflowReplayer(options).ReplayWorkflowAsync(history, throwOnReplayFailure: true);
        if (result.ReplayFailure is { } failure)
        {
            throw new InvalidOperationException($"replay of {handle.Id} failed: {failure.Message}", failure);
        }
    }

    public static Task AssertReplaysAsync<TWorkflow>(WorkflowHandle handle) =>
        AssertReplaysAsync(handle, o => o.AddWorkflow<TWorkflow>());
}
