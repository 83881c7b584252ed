using OpenDesign.Workflows.Contracts;
using OpenDesign.Workflows.Domain.MediaRequests;

namespace OpenDesign.Workflows.Domain.Tests.Support;

/// <summary>No workflow engine: these tests cover the modes that never reach one.</summary>
public sealed class UnavailableDispatcher : IExternalMediaDispatcher
{
    public bool IsAvailable => false;

    public Task StartAsync(MediaRequest request, CancellationToken ct) => throw Unavailable();

    public Task SignalFulfilledAsync(MediaRequest request, StagedFile file, CancellationToken ct) => throw Unavailable();

    public Task SignalFailedAsync(MediaRequest request, MediaRequestError error, CancellationToken ct) => throw Unavailable();

    public Task SignalProgressAsync(MediaRequest request, MediaRequestProgress progress, CancellationToken ct) => throw Unavailable();

    public Task RequestCancelAsync(MediaRequest request, CancellationToken ct) => throw Unavailable();

    private static ExternalDispatchException Unavailable() => new("no workflow engine in domain tests");
}
