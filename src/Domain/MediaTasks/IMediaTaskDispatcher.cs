using OpenDesign.Workflows.Contracts;
using OpenDesign.Workflows.Domain.MediaRequests;

namespace OpenDesign.Workflows.Domain.MediaTasks;

/// <summary>
/// Hands media tasks to their orchestration (a Temporal workflow each), so the domain stays free of Temporal. Failures
/// to reach the engine are <see cref="ExternalDispatchException"/>, as for external requests.
/// </summary>
public interface IMediaTaskDispatcher
{
    /// <summary>False while the engine cannot be reached; enabled generation is then refused rather than left dangling.</summary>
    bool IsAvailable { get; }

    /// <summary>Starts the task's workflow; starting it again for the same task is harmless.</summary>
    Task StartAsync(MediaTask task, CancellationToken ct);

    /// <summary>Asks the task's workflow to cancel (it tells the provider and fails the task), once a start under way has settled.</summary>
    Task RequestCancelAsync(MediaTask task, CancellationToken ct);
}

/// <summary>What a process without a workflow engine has: enabled generation is refused with 503 <c>TEMPORAL_UNAVAILABLE</c>.</summary>
internal sealed class NoMediaTaskDispatcher : IMediaTaskDispatcher
{
    public bool IsAvailable => false;

    public Task StartAsync(MediaTask task, CancellationToken ct) => throw new ExternalDispatchException("the workflow engine (Temporal) is not available");

    public Task RequestCancelAsync(MediaTask task, CancellationToken ct) => throw new ExternalDispatchException("the workflow engine (Temporal) is not available");
}
