using System.Collections.Concurrent;
using OpenDesign.Workflows.Contracts;
using OpenDesign.Workflows.Domain.MediaRequests;

namespace OpenDesign.Workflows.Domain.Tests.Support;

/// <summary>A workflow engine that is always there and only records what it was asked to start or cancel.</summary>
public sealed class RecordingDispatcher : IExternalMediaDispatcher
{
    public ConcurrentQueue<string> Started { get; } = new();

    public ConcurrentQueue<string> CancelRequested { get; } = new();

    public bool IsAvailable => true;

    public Task StartAsync(MediaRequest request, CancellationToken ct)
    {
        Started.Enqueue(request.Id);
        return Task.CompletedTask;
    }

    public Task SignalFulfilledAsync(MediaRequest request, StagedFile file, CancellationToken ct) => Task.CompletedTask;

    public Task SignalFailedAsync(MediaRequest request, MediaRequestError error, CancellationToken ct) => Task.CompletedTask;

    public Task SignalProgressAsync(MediaRequest request, MediaRequestProgress progress, CancellationToken ct) => Task.CompletedTask;

    public Task RequestCancelAsync(MediaRequest request, CancellationToken ct)
    {
        CancelRequested.Enqueue(request.Id);
        return Task.CompletedTask;
    }
}
