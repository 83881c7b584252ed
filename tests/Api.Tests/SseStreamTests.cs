using System.Text;
using Microsoft.AspNetCore.Http;
using OpenDesign.Workflows.Api.Sse;
using OpenDesign.Workflows.Domain;
using OpenDesign.Workflows.Domain.Events;

namespace OpenDesign.Workflows.Api.Tests;

/// <summary>
/// The SSE writer against a response body the test controls: a client that holds writes up while its buffer overflows
/// is cut off with a resume frame; one that keeps up through a burst larger than its buffer gets everything anyway.
/// </summary>
public sealed class SseStreamTests
{
    private const string Run = "run_a";
    private const int EventSize = 1000;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);

    /// <summary>Room for three waiting events of <see cref="EventSize"/>.</summary>
    private static readonly OdOptions Options = new() { SseMaxBufferedBytes = 3 * EventSize, SseMaxBufferedEvents = 1024, SseReplayPageBytes = 2 * EventSize };

    private readonly List<StoredEvent> _store = [];
    private readonly EventHub _hub = new(Options);

    [Fact]
    public async Task A_client_that_holds_writes_up_while_its_buffer_overflows_is_cut_off_with_the_last_id_it_got_and_resumes_from_it_exactly_once()
    {
        var body = new GateStream();
        using var sub = _hub.SubscribeRun(Run);
        using var aborted = new CancellationTokenSource();
        var streaming = Stream(body, aborted.Token).RunAsync(sub, 0, follow: true);
        Commit(1, 2);
        await body.WaitForAsync("id: 2\n");

        body.Hold();
        Commit(3);
        await body.HeldAsync(); // the client is not reading: event 3's write waits
        Commit(4, 5, 6, 7, 8);  // five more than the buffer holds
        Assert.True(sub.Overflowed);
        body.Release();
        await streaming.WaitAsync(Wait);

        // Everything up to the held write, in order, then the resume frame naming the last one; the stream has ended.
        var expected = string.Concat(_store.Take(3).Select(e => Encoding.UTF8.GetString(SseFrames.OfRun(e))))
            + "id: 3\nevent: resume\ndata: {\"after\":3,\"reason\":\"too_far_behind\"}\n\n";
        Assert.Equal(": connected\n\n" + expected, body.Text);

        // Reconnecting after 3 (what Last-Event-ID: 3 asks) gives 4 to 8 from the store, then live events, once each.
        var again = new GateStream();
        using var resumed = _hub.SubscribeRun(Run);
        var following = Stream(again, aborted.Token).RunAsync(resumed, 3, follow: true);
        Commit(9);
        await again.WaitForAsync("id: 9\n");
        await aborted.CancelAsync();
        await following.WaitAsync(Wait);
        Assert.Equal(": connected\n\n" + string.Concat(_store.Skip(3).Select(e => Encoding.UTF8.GetString(SseFrames.OfRun(e)))), again.Text);
    }

    [Fact]
    public async Task A_client_that_keeps_up_through_a_burst_larger_than_its_buffer_gets_every_event_once_without_being_cut_off()
    {
        var body = new GateStream();
        using var sub = _hub.SubscribeRun(Run);
        using var aborted = new CancellationTokenSource();
        var streaming = Stream(body, aborted.Token).RunAsync(sub, 0, follow: true);

        Commit(1, 2, 3, 4, 5, 6, 7, 8, 9, 10); // one commit, more than the buffer holds: some are dropped, none is lost
        await body.WaitForAsync("id: 10\n");
        await aborted.CancelAsync();
        await streaming.WaitAsync(Wait);

        Assert.Equal(": connected\n\n" + string.Concat(_store.Select(e => Encoding.UTF8.GetString(SseFrames.OfRun(e)))), body.Text);
    }

    private SseStream Stream(GateStream body, CancellationToken aborted)
    {
        var context = new DefaultHttpContext { RequestAborted = aborted };
        context.Response.Body = body;
        return new SseStream(context, TimeSpan.FromMinutes(5))
        {
            ReadAfter = cursor =>
            {
                lock (_store)
                {
                    var page = _store.Where(e => e.Seq > cursor).Take(2).ToList();
                    return new EventPage(page, more: _store.Count(e => e.Seq > cursor) > page.Count);
                }
            },
            CursorOf = e => e.Seq,
            FrameOf = e => SseFrames.OfRun(e),
            Contiguous = true,
        };
    }

    /// <summary>Stores the events (as a commit does), then offers them to live subscribers in one publish.</summary>
    private void Commit(params long[] seqs)
    {
        var events = seqs.Select(s => new StoredEvent(s, Run, s, EventNames.MediaRequest, "{\"n\":\"" + new string('x', EventSize - 8) + "\"}", DateTimeOffset.UnixEpoch)).ToList();
        lock (_store) _store.AddRange(events);
        _hub.Publish(events);
    }

    /// <summary>A response body that records what is written and, once held, leaves writes pending until released.</summary>
    private sealed class GateStream : Stream
    {
        private readonly object _lock = new();
        private readonly MemoryStream _written = new();
        private TaskCompletionSource? _gate;
        private readonly TaskCompletionSource _held = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public string Text
        {
            get { lock (_lock) return Encoding.UTF8.GetString(_written.ToArray()); }
        }

        public void Hold()
        {
            lock (_lock) _gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        public void Release()
        {
            lock (_lock)
            {
                _gate?.TrySetResult();
                _gate = null;
            }
        }

        public Task HeldAsync() => _held.Task.WaitAsync(Wait);

        public async Task WaitForAsync(string text)
        {
            using var timeout = new CancellationTokenSource(Wait);
            while (!Text.Contains(text, StringComparison.Ordinal)) await Task.Delay(5, timeout.Token);
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Task? gate;
            lock (_lock)
            {
                _written.Write(buffer.Span);
                gate = _gate?.Task;
            }
            if (gate is null) return ValueTask.CompletedTask;
            _held.TrySetResult();
            return new ValueTask(gate.WaitAsync(cancellationToken));
        }

        public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public override void Flush() { }
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();
    }
}
