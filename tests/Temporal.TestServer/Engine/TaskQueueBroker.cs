namespace OpenDesign.Workflows.Temporal.TestServer.Engine;

// Matching: hands queued tasks to long-polling workers. One FIFO per (namespace, queue name, kind).
// Items are references ("the workflow task scheduled at event 7 of run R"), never snapshots; the
// engine re-checks under its own lock that the item is still current when a poller takes it, so a
// stale entry (the task already timed out, the run closed) is simply skipped. This keeps the broker
// free of workflow knowledge.
internal sealed class TaskQueueBroker
{
    private readonly Lock _lock = new();
    private readonly Dictionary<QueueKey, QueueState> _queues = [];

    public void Enqueue(QueueKey key, object item)
    {
        lock (_lock)
        {
            var queue = Get(key);
            while (queue.Waiters.First is { } waiter)
            {
                queue.Waiters.RemoveFirst();
                if (waiter.Value.TrySetResult(item))
                {
                    return;
                }
            }
            queue.Items.AddLast(item);
        }
    }

    // Puts an item back at the head: used when the poll that took it was cancelled (worker shutdown)
    // before the response could be sent, so the task is not lost until its timeout.
    public void Requeue(QueueKey key, object item)
    {
        lock (_lock)
        {
            var queue = Get(key);
            while (queue.Waiters.First is { } waiter)
            {
                queue.Waiters.RemoveFirst();
                if (waiter.Value.TrySetResult(item))
                {
                    return;
                }
            }
            queue.Items.AddFirst(item);
        }
    }

    // Waits up to `timeout` for an item; null means the long poll ran out (an empty poll response).
    public async Task<object?> TakeAsync(QueueKey key, TimeSpan timeout, CancellationToken cancellation)
    {
        TaskCompletionSource<object?> waiter;
        LinkedListNode<TaskCompletionSource<object?>> node;
        lock (_lock)
        {
            var queue = Get(key);
            if (queue.Items.First is { } first)
            {
                queue.Items.RemoveFirst();
                return first.Value;
            }
            waiter = new TaskCompletionSource<object?>(TaskCreationOptions.RunContinuationsAsynchronously);
            node = queue.Waiters.AddLast(waiter);
        }

        using (var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellation))
        {
            timeoutSource.CancelAfter(timeout);
            try
            {
                await waiter.Task.WaitAsync(timeoutSource.Token);
            }
            catch (OperationCanceledException)
            {
                // Fall through: decide below, under the lock, whether an item raced in.
            }
        }

        lock (_lock)
        {
            if (node.List is not null)
            {
                node.List.Remove(node);
                waiter.TrySetResult(null);
                return null;
            }
        }
        var item = await waiter.Task;
        if (item is not null && cancellation.IsCancellationRequested)
        {
            Requeue(key, item);
            return null;
        }
        return item;
    }

    public int Backlog(QueueKey key)
    {
        lock (_lock)
        {
            return _queues.TryGetValue(key, out var queue) ? queue.Items.Count : 0;
        }
    }

    private QueueState Get(QueueKey key)
    {
        if (!_queues.TryGetValue(key, out var queue))
        {
            queue = new QueueState();
            _queues[key] = queue;
        }
        return queue;
    }

    private sealed class QueueState
    {
        public LinkedList<object> Items { get; } = new();
        public LinkedList<TaskCompletionSource<object?>> Waiters { get; } = new();
    }
}

internal enum QueueKind
{
    Workflow,
    Activity,
}

internal readonly record struct QueueKey(string Namespace, string Name, QueueKind Kind);
