using System.Diagnostics.CodeAnalysis;
using System.Threading.Channels;

namespace OpenDesign.Workflows.Domain.Events;

/// <summary>
/// One live subscriber's buffer of events not yet taken, bounded by count and by bytes (the length of each event's
/// JSON data, which is ASCII: the serializer escapes everything else). An event that does not fit is dropped and the
/// subscription is marked <see cref="Overflowed"/> until the reader takes the mark; the one exception is an event larger than the byte bound
/// arriving at an empty buffer, which is taken, so a large event alone never cuts anybody off.
/// </summary>
public sealed class EventSubscription : IDisposable
{
    private readonly Channel<StoredEvent> _channel;
    private readonly long _maxBytes;
    private readonly Action<EventSubscription> _unsubscribe;
    private long _bytes;
    private int _overflowed;

    internal EventSubscription(int maxEvents, long maxBytes, Action<EventSubscription> unsubscribe)
    {
        // The publisher never waits (TryWrite), so Wait only means "refuse when full"; the hub and the event tail
        // may publish at the same time, hence no single-writer promise.
        _channel = Channel.CreateBounded<StoredEvent>(
            new BoundedChannelOptions(Math.Max(1, maxEvents)) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        _maxBytes = maxBytes;
        _unsubscribe = unsubscribe;
    }

    /// <summary>True once an event was dropped for this subscriber: what it has not taken must come from the store.</summary>
    public bool Overflowed => Volatile.Read(ref _overflowed) == 1;

    /// <summary>Whether events were dropped since the last call; the caller then reads them from the store.</summary>
    public bool TakeOverflowed() => Interlocked.Exchange(ref _overflowed, 0) == 1;

    public ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken) => _channel.Reader.WaitToReadAsync(cancellationToken);

    public bool TryRead([MaybeNullWhen(false)] out StoredEvent e)
    {
        if (!_channel.Reader.TryRead(out e)) return false;
        Interlocked.Add(ref _bytes, -e.Data.Length);
        return true;
    }

    public bool TryPeek([MaybeNullWhen(false)] out StoredEvent e) => _channel.Reader.TryPeek(out e);

    internal void Offer(StoredEvent e)
    {
        var size = e.Data.Length;
        var total = Interlocked.Add(ref _bytes, size);
        if ((total > _maxBytes && total != size) || !_channel.Writer.TryWrite(e))
        {
            Interlocked.Add(ref _bytes, -size);
            Volatile.Write(ref _overflowed, 1);
        }
    }

    public void Dispose() => _unsubscribe(this);
}
