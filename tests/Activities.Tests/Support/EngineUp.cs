using OpenDesign.Workflows.Contracts;
using OpenDesign.Workflows.Domain.MediaRequests;

namespace OpenDesign.Workflows.Activities.Tests.Support;

/// <summary>
/// The engine these activities run under, as the domain sees it: up, so external runs can be created. The tests call
/// the activities themselves, so nothing ever asks it to start or signal a workflow.
/// </summary>
internal sealed class EngineUp : IExternalMediaDispatcher
{
    public bool IsAvailable => true;

    public Task StartAsync(MediaRequest request, CancellationToken ct) => throw NotHere();

    public Task SignalFulfilledAsync(MediaRequest request, StagedFile file, CancellationToken ct) => throw NotHere();

    public Task SignalFailedAsync(MediaRequest request, MediaRequestError error, CancellationToken ct) => throw NotHere();

    public Task SignalProgressAsync(MediaRequest request, MediaRequestProgress progress, CancellationToken ct) => throw NotHere();

    public Task RequestCancelAsync(MediaRequest request, CancellationToken ct) => throw NotHere();

    private static InvalidOperationException NotHere() => new("activity tests drive activities directly, never a workflow");
}
