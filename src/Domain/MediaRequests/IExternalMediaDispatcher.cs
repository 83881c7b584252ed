using OpenDesign.Workflows.Contracts;

namespace OpenDesign.Workflows.Domain.MediaRequests;

/// <summary>
/// Hands external requests to their orchestration (a Temporal workflow each). The domain decides what happens to a
/// request; this is only how it reaches the engine, so the domain stays free of Temporal.
/// </summary>
public interface IExternalMediaDispatcher
{
    /// <summary>False while the engine cannot be reached; external work is then refused rather than left dangling.</summary>
    bool IsAvailable { get; }

    /// <summary>Starts the request's workflow; starting it again for the same request is harmless.</summary>
    Task StartAsync(MediaRequest request, CancellationToken ct);

    Task SignalFulfilledAsync(MediaRequest request, StagedFile file, CancellationToken ct);

    Task SignalFailedAsync(MediaRequest request, MediaRequestError error, CancellationToken ct);

    Task SignalProgressAsync(MediaRequest request, MediaRequestProgress progress, CancellationToken ct);

    /// <summary>Asks the request's workflow to cancel, once a start under way in <see cref="WorkflowStarts"/> has settled.</summary>
    Task RequestCancelAsync(MediaRequest request, CancellationToken ct);
}

/// <summary>The engine could not be reached or refused the call.</summary>
public sealed class ExternalDispatchException(string message, Exception? inner = null) : Exception(message, inner);
