using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Threading.Channels;

namespace OpenDesign.Workflows.Domain.Events;

/// <summary>
/// In-memory fan-out of committed events to live SSE subscribers. The database stays the source of truth: a
/// subscriber that falls behind is marked lagged instead of blocking the writer, and catches up from SQLite.
/// </summary>
public sealed class EventHub
{
    private readonly ConcurrentDictionary<string, ImmutableArray<EventSubscription>> _byRun = new(StringComparer.Ordinal);
    private ImmutableArray<EventSubscription> _global = [];

    public EventSubscription SubscribeRun(string runId)
    {
        var sub = new EventSubscription(s => Remove(runId, s));
        _byRun.AddOrUpdate(runId, _ => [sub], (_, list) => list.Add(sub));
        return sub;
    }

    public EventSubscription SubscribeGlobal()
    {
        var sub = new EventSubscription(s => ImmutableInterlocked.Update(ref _global, list => list.Remove(s)));
        ImmutableInterlocked.Update(ref _global, list => list.Add(sub));
        return sub;
    }

    /// <summary>Offers committed events to live subscribers; a subscriber that is full is marked lagged, never waited for.</summary>
    public void Publish(IReadOnlyList<StoredEvent> events)
    {
        var global = _global;
        foreach (var e in events)
        {
            if (_byRun.TryGetValue(e.RunId, out var subs))
            {
                foreach (var sub in subs) sub.Offer(e);
            }
            if (e.Name == EventNames.MediaRequest)
            {
                foreach (var sub in global) sub.Offer(e);
            }
        }
    }

    private void Remove(string runId, EventSubscription sub)
    {
        while (_byRun.TryGetValue(runId, out var list))
        {
            var next = list.Remove(sub);
            var done = next.IsEmpty
                ? _byRun.TryRemove(new KeyValuePair<string, ImmutableArray<EventSubscription>>(runId, list))
                : _byRun.TryUpdate(runId, next, list);
            if (done) return;
        }
    }
}

public sealed class EventSubscription : IDisposable
{
    private const int Capacity = 1024;
    private readonly Channel<StoredEvent> _channel = Channel.CreateBounded<StoredEvent>(
        new BoundedChannelOptions(Capacity) { SingleReader = true, SingleWriter = true, FullMode = BoundedChannelFullMode.Wait });
    private readonly Action<EventSubscription> _unsubscribe;
    private int _lagged;

    internal EventSubscription(Action<EventSubscription> unsubscribe) => _unsubscribe = unsubscribe;

    public ChannelReader<StoredEvent> Reader => _channel.Reader;

    /// <summary>True once, after events were dropped for this subscriber: re-read from the store.</summary>
    public bool TakeLagged() => Interlocked.Exchange(ref _lagged, 0) == 1;

    internal void Offer(StoredEvent e)
    {
        if (!_channel.Writer.TryWrite(e)) Volatile.Write(ref _lagged, 1);
    }

    public void Dispose() => _unsubscribe(this);
}
