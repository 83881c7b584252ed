using Temporalio.Workflows;

namespace OpenDesign.Workflows.Temporal.TestServer.Tests;

// Workflows that use SDK features the product may reach for: a patch (versioned change), a child
// workflow (which the server does not implement), a query on a finished run.

[Workflow]
public sealed class PatchedWorkflow
{
    public const string PatchId = "od-conformance-patch";

    [WorkflowRun]
    public Task<string> RunAsync() => Task.FromResult(Workflow.Patched(PatchId) ? "patched" : "original");
}

[Workflow]
public sealed class ChildStartingWorkflow
{
    [WorkflowRun]
    public Task<string> RunAsync() => Workflow.ExecuteChildWorkflowAsync((PatchedWorkflow w) => w.RunAsync());
}
