using OpenDesign.Workflows.Contracts;
using OpenDesign.Workflows.Domain;
using OpenDesign.Workflows.Domain.MediaRequests;
using OpenDesign.Workflows.Workflows;
using Temporalio.Api.Enums.V1;
using Temporalio.Client;
using Temporalio.Common;
using Temporalio.Exceptions;

namespace OpenDesign.Workflows.Api.Temporal;

/// <summary>
/// What starting and calling the product's workflows share, for external requests and media tasks alike: start options
/// (a readable id, a repeated start finding the running workflow, a finished one never started again, summary, memo
/// and the <c>Od*</c> search attributes where the namespace has them) and how engine failures reach the domain.
/// </summary>
internal static class WorkflowCalls
{
    private const int PromptSummaryLength = 200;

    public static WorkflowOptions StartOptions(TemporalRuntime runtime, string workflowId, string summary, Dictionary<string, object> memo,
        string prompt, (string RunId, string ProjectId, string Surface, string Status) attributes, CancellationToken ct)
    {
        memo["prompt"] = prompt.Length > PromptSummaryLength ? prompt[..PromptSummaryLength] + "…" : prompt;
        var options = new WorkflowOptions(workflowId, runtime.Options.TaskQueue)
        {
            IdReusePolicy = WorkflowIdReusePolicy.RejectDuplicate,
            IdConflictPolicy = WorkflowIdConflictPolicy.UseExisting,
            StaticSummary = summary,
            Memo = memo,
            Rpc = new RpcOptions { CancellationToken = ct },
        };
        if (runtime.HasSearchAttributes)
        {
            options.TypedSearchAttributes = new SearchAttributeCollection.Builder()
                .Set(OdSearchAttributes.RunId, attributes.RunId)
                .Set(OdSearchAttributes.ProjectId, attributes.ProjectId)
                .Set(OdSearchAttributes.Surface, attributes.Surface)
                .Set(OdSearchAttributes.Status, attributes.Status)
                .ToSearchAttributeCollection();
        }
        return options;
    }

    /// <summary>Starts a workflow; one that already ran is not an error, an unreachable engine is <see cref="ExternalDispatchException"/>.</summary>
    public static async Task StartAsync(Func<Task> start, string what)
    {
        try
        {
            await start();
        }
        catch (WorkflowAlreadyStartedException)
        {
            // Reuse policy refused a second run for work whose workflow already finished: nothing to start.
        }
        catch (Exception e) when (e is RpcException or InvalidOperationException or TimeoutException)
        {
            throw new ExternalDispatchException($"the workflow engine (Temporal) could not start the {what}: {e.Message}", e);
        }
    }

    /// <summary>Signals or cancels a workflow; one that has finished is a conflict, an unreachable engine <see cref="ExternalDispatchException"/>.</summary>
    public static async Task CallAsync(Func<Task> call, string what)
    {
        try
        {
            await call();
        }
        catch (RpcException e) when (e.Code == RpcException.StatusCode.NotFound)
        {
            throw new DomainException(DomainErrorKind.Conflict, ErrorCodes.MediaRequestTerminal, $"the {what}'s workflow has already finished");
        }
        catch (Exception e) when (e is RpcException or InvalidOperationException or TimeoutException)
        {
            throw new ExternalDispatchException($"the workflow engine (Temporal) could not be reached: {e.Message}", e);
        }
    }

    public static ITemporalClient Client(TemporalRuntime runtime) =>
        runtime.Client ?? throw new ExternalDispatchException($"the workflow engine (Temporal) is not available: {runtime.Problem}");
}
