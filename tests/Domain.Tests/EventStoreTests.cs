using OpenDesign.Workflows.Contracts;
using OpenDesign.Workflows.Domain.Events;
using OpenDesign.Workflows.Domain.Tests.Support;

namespace OpenDesign.Workflows.Domain.Tests;

/// <summary>Durable events: per-run sequence for the run stream, global id for the feed, both resumable by cursor.</summary>
public sealed class EventStoreTests : IAsyncLifetime
{
    private readonly DomainHarness _h = new();

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _h.DisposeAsync();

    [Fact]
    public async Task A_run_reads_its_own_events_after_a_sequence_number()
    {
        var (_, a) = await _h.NewRunAsync();
        var (_, b) = await _h.NewRunAsync();
        for (var i = 0; i < 3; i++)
        {
            await _h.NewRequestAsync(a);
            await _h.NewRequestAsync(b);
        }
        await _h.RunService.EndAsync(a.RunId, RunStatuses.Succeeded);

        var all = _h.Events.ReadRun(a.RunId, 0);
        Assert.Equal([1L, 2, 3, 4, 5, 6, 7], all.Select(e => e.Seq));
        Assert.All(all, e => Assert.Equal(a.RunId, e.RunId));
        Assert.Equal([5L, 6, 7], _h.Events.ReadRun(a.RunId, 4).Select(e => e.Seq));
        Assert.Empty(_h.Events.ReadRun(a.RunId, 7));
        Assert.Equal([3L, 4], _h.Events.ReadRun(a.RunId, 2, limit: 2).Select(e => e.Seq));
        Assert.Equal([1L, 2, 3], _h.Events.ReadRun(b.RunId, 0).Select(e => e.Seq));

        var last = _h.Events.LastOfRun(a.RunId);
        Assert.Equal((7L, EventNames.End), (last!.Seq, last.Name));
        Assert.Null(_h.Events.LastOfRun("run_none"));
    }

    [Fact]
    public async Task The_global_feed_holds_every_media_request_event_of_every_run_by_global_id()
    {
        var (_, a) = await _h.NewRunAsync();
        var (_, b) = await _h.NewRunAsync();
        var ra = await _h.NewRequestAsync(a);
        var rb = await _h.NewRequestAsync(b);
        await _h.RunService.EndAsync(a.RunId, RunStatuses.Canceled); // cancels ra (a media_request event) and appends end (not on the feed)
        await _h.Transitions.CancelAsync(rb.Id);

        var feed = _h.Events.ReadFeed(0);

        Assert.Equal(4, feed.Count);
        Assert.All(feed, e => Assert.Equal(EventNames.MediaRequest, e.Name));
        Assert.Equal(feed.Select(e => e.Id).Order(), feed.Select(e => e.Id));
        Assert.Equal([a.RunId, b.RunId, a.RunId, b.RunId], feed.Select(e => e.RunId));
        Assert.Contains(ra.Id, feed[2].Data, StringComparison.Ordinal);
        Assert.Equal(feed.Skip(2).Select(e => e.Id), _h.Events.ReadFeed(feed[1].Id).Select(e => e.Id));
        Assert.Equal([feed[0].Id], _h.Events.ReadFeed(0, limit: 1).Select(e => e.Id));
        Assert.Single(_h.Events.ReadAllAfter(0), e => e.Name == EventNames.End);
    }

    [Fact]
    public async Task Pages_are_bounded_by_bytes_and_an_event_larger_than_the_bound_comes_alone()
    {
        var (_, run) = await _h.NewRunAsync();
        for (var i = 0; i < 5; i++) await _h.NewRequestAsync(run);
        var all = _h.Events.ReadRun(run.RunId, 0);
        Assert.Equal([1L, 2, 3, 4, 5], all.Select(e => e.Seq));
        Assert.False(all.More);
        var sizes = all.Select(e => (long)e.Data.Length).ToList();

        // The bound is reached exactly by the second event: the page stops there and says there is more.
        var two = _h.Events.ReadRun(run.RunId, 0, maxBytes: sizes[0] + sizes[1]);
        Assert.Equal([1L, 2], two.Select(e => e.Seq));
        Assert.True(two.More);
        // One byte more: the third event crosses the bound and is the page's last.
        var three = _h.Events.ReadRun(run.RunId, 0, maxBytes: sizes[0] + sizes[1] + 1);
        Assert.Equal([1L, 2, 3], three.Select(e => e.Seq));
        // Every event is larger than one byte, yet each page holds one; the last page knows it is the last.
        var walked = new List<long>();
        EventPage page;
        var cursor = 0L;
        do
        {
            page = _h.Events.ReadRun(run.RunId, cursor, maxBytes: 1);
            Assert.Single(page);
            walked.Add(cursor = page[0].Seq);
        }
        while (page.More);
        Assert.Equal([1L, 2, 3, 4, 5], walked);
        // The count bound still holds: a full page may have more, a short one has not.
        Assert.True(_h.Events.ReadRun(run.RunId, 0, limit: 5).More);
        Assert.False(_h.Events.ReadRun(run.RunId, 0, limit: 6).More);

        var global = _h.Events.ReadFeed(0, maxBytes: 1);
        Assert.Equal([all[0].Id], global.Select(e => e.Id));
        Assert.True(global.More);
        var tail = _h.Events.ReadAllAfter(all[3].Id, maxBytes: 1);
        Assert.Equal([all[4].Id], tail.Select(e => e.Id));
        Assert.False(tail.More);
    }

    [Fact]
    public async Task Events_survive_a_restart()
    {
        var (_, run) = await _h.NewRunAsync();
        var request = await _h.NewRequestAsync(run);
        var before = _h.Events.ReadRun(run.RunId, 0);

        await _h.RestartAsync();
        await _h.Transitions.CancelAsync(request.Id);
        var after = _h.Events.ReadRun(run.RunId, 0);

        Assert.Equal([1L, 2], after.Select(e => e.Seq));
        Assert.Equal(before[0].Data, after[0].Data);
        // What the SSE frames are made of survives (the frames themselves are the Api's: SseFramesTests).
        Assert.Equal((before[0].Id, before[0].Seq, before[0].Name, before[0].Data), (after[0].Id, after[0].Seq, after[0].Name, after[0].Data));
        Assert.Equal((1L, "media_request"), (after[0].Seq, after[0].Name));
        Assert.StartsWith("{", after[0].Data, StringComparison.Ordinal);
        Assert.Equal("media_request", after[1].Name);
        Assert.EndsWith("}", after[1].Data, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Live_subscribers_get_each_committed_event_once_in_order()
    {
        var (_, run) = await _h.NewRunAsync();
        using var runSub = _h.Hub.SubscribeRun(run.RunId);
        using var globalSub = _h.Hub.SubscribeGlobal();

        var request = await _h.NewRequestAsync(run);
        await _h.RunService.EndAsync(run.RunId, RunStatuses.Succeeded);

        var stored = _h.Events.ReadRun(run.RunId, 0);
        Assert.Equal(stored.Select(e => e.Seq), (await TakeAsync(runSub, 3)).Select(e => e.Seq));
        var global = await TakeAsync(globalSub, 2);
        Assert.All(global, e => Assert.Equal(EventNames.MediaRequest, e.Name));
        Assert.Contains(request.Id, global[0].Data, StringComparison.Ordinal);
        Assert.Equal(stored.Where(e => e.Name == EventNames.MediaRequest).Select(e => e.Id), global.Select(e => e.Id));
    }

    [Fact]
    public async Task A_failed_unit_publishes_nothing()
    {
        var (_, run) = await _h.NewRunAsync();
        using var runSub = _h.Hub.SubscribeRun(run.RunId);
        var request = await _h.NewRequestAsync(run);
        await _h.Transitions.CancelAsync(request.Id);
        await TakeAsync(runSub, 2);

        await Assert.ThrowsAsync<DomainException>(() => _h.Transitions.CancelAsync(request.Id));
        var next = await _h.NewRequestAsync(run);

        // The next thing a subscriber sees is the next committed event: nothing from the refused unit came in between.
        var seen = Assert.Single(await TakeAsync(runSub, 1));
        Assert.Equal(3, seen.Seq);
        Assert.Contains(next.Id, seen.Data, StringComparison.Ordinal);
        Assert.Equal(3, _h.Events.ReadRun(run.RunId, 0).Count);
    }

    private static async Task<List<StoredEvent>> TakeAsync(EventSubscription sub, int count)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var list = new List<StoredEvent>();
        while (list.Count < count)
        {
            await sub.WaitToReadAsync(timeout.Token);
            while (list.Count < count && sub.TryRead(out var e)) list.Add(e);
        }
        return list;
    }
}
