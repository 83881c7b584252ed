using System.Collections.Concurrent;
using System.Collections.Immutable;

namespace OpenDesign.Workflows.Domain.Events;

/// <summary>
/// In-memory fan-out of committed events to live SSE subscribers. The database stays the source of truth: a
/// subscriber whose buffer is full is marked overflowed instead of blocking the writer, and its stream ends with a
/// resume frame so the client catches up from SQLite. Each subscriber buffers at most
/// <see cref="OdOptions.SseMaxBufferedEvents"/> events and <see cref="OdOptions.SseMaxBufferedBytes"/> bytes, and the
/// events are shared, never copied, between subscribers.
/// </summary>
public sealed class EventHub(OdOptions options)
{
    private readonly ConcurrentDictionary<string, ImmutableArray<EventSubscription>> _byRun = new(StringComparer.Ordinal);
    private ImmutableArray<EventSubscription> _global = [];

    public EventSubscription SubscribeRun(string runId)
    {
        var sub = new EventSubscription(options.SseMaxBufferedEvents, options.SseMaxBufferedBytes, s => Remove(runId, s));
        _byRun.AddOrUpdate(runId, _ => [sub], (_, list) => list.Add(sub));
        return sub;
    }

    public EventSubscription SubscribeGlobal()
    {
        var sub = new EventSubscription(options.SseMaxBufferedEvents, options.SseMaxBufferedBytes,
            s => ImmutableInterlocked.Update(ref _global, list => list.Remove(s)));
        ImmutableInterlocked.Update(ref _global, list => list.Add(sub));
        return sub;
    }

    /// <summary>Offers committed events to live subscribers; a subscriber that is full is marked overflowed, never waited for.</summary>
    public void Publish(IReadOnlyList<StoredEvent> events)
    {
        var global = _global;
        foreach (var e in events)
        {
            if (_byRun.TryGetValue(e.RunId, out var subs))
            {
                foreach (var sub in subs) sub.Offer(e);
            }
            if (EventNames.IsOnFeed(e.Name))
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
