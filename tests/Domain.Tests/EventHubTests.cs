using OpenDesign.Workflows.Domain.Events;

namespace OpenDesign.Workflows.Domain.Tests;

/// <summary>A live subscriber's buffer is bounded by bytes and by count; what does not fit is dropped and marked, never waited for.</summary>
public sealed class EventHubTests
{
    private const string Run = "run_a";

    private static StoredEvent Event(long seq, int size) =>
        new(seq, Run, seq, EventNames.MediaRequest, new string('x', size), DateTimeOffset.UnixEpoch);

    [Fact]
    public void A_subscriber_buffers_up_to_the_byte_bound_and_is_marked_overflowed_when_an_event_does_not_fit()
    {
        var hub = new EventHub(new OdOptions { SseMaxBufferedBytes = 250, SseMaxBufferedEvents = 100 });
        using var sub = hub.SubscribeRun(Run);

        hub.Publish([Event(1, 100), Event(2, 100)]);
        Assert.False(sub.Overflowed);
        hub.Publish([Event(3, 100)]); // 300 bytes would be waiting
        Assert.True(sub.Overflowed);

        Assert.Equal([1L, 2], Drain(sub));
        Assert.True(sub.TakeOverflowed());
        Assert.False(sub.TakeOverflowed());

        // Taking events frees their bytes: an event larger than the whole bound still fits an empty buffer...
        hub.Publish([Event(4, 1000)]);
        Assert.False(sub.Overflowed);
        // ...and nothing fits beside it.
        hub.Publish([Event(5, 1)]);
        Assert.True(sub.Overflowed);
        Assert.Equal([4L], Drain(sub));
    }

    [Fact]
    public void A_subscriber_buffers_up_to_the_event_count_bound()
    {
        var hub = new EventHub(new OdOptions { SseMaxBufferedBytes = 1_000_000, SseMaxBufferedEvents = 3 });
        using var run = hub.SubscribeRun(Run);
        using var global = hub.SubscribeGlobal();

        hub.Publish([Event(1, 1), Event(2, 1), Event(3, 1)]);
        Assert.False(run.Overflowed);
        Assert.False(global.Overflowed);
        hub.Publish([Event(4, 1)]);
        Assert.True(run.Overflowed);
        Assert.True(global.Overflowed);
        Assert.Equal([1L, 2, 3], Drain(run));
        Assert.Equal([1L, 2, 3], Drain(global));
    }

    private static List<long> Drain(EventSubscription sub)
    {
        var seqs = new List<long>();
        while (sub.TryRead(out var e)) seqs.Add(e.Seq);
        return seqs;
    }
}
