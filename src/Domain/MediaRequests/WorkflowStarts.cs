using System.Collections.Concurrent;

namespace OpenDesign.Workflows.Domain.MediaRequests;

/// <summary>
/// The workflow starts this process has under way, by request id. A start is registered before its request is stored,
/// so anyone who can see the request (the run end that cancels it, an explicit cancel) can wait for the start to
/// settle first: a cancellation then always reaches a workflow that exists, never overtakes its start.
/// </summary>
public sealed class WorkflowStarts
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _pending = new(StringComparer.Ordinal);

    /// <summary>Registers a start; disposing the result marks it settled, however it went.</summary>
    public Pending Begin(string requestId)
    {
        var settled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[requestId] = settled;
        return new Pending(this, requestId, settled);
    }

    /// <summary>Completes once the request's start (if one is under way) has settled.</summary>
    public Task WhenSettled(string requestId) => _pending.TryGetValue(requestId, out var settled) ? settled.Task : Task.CompletedTask;

    public readonly struct Pending : IDisposable
    {
        private readonly WorkflowStarts _owner;
        private readonly string _requestId;
        private readonly TaskCompletionSource _settled;

        internal Pending(WorkflowStarts owner, string requestId, TaskCompletionSource settled)
        {
            _owner = owner;
            _requestId = requestId;
            _settled = settled;
        }

        public void Dispose()
        {
            _owner._pending.TryRemove(new KeyValuePair<string, TaskCompletionSource>(_requestId, _settled));
            _settled.TrySetResult();
        }
    }
}
