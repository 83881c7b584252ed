using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using OpenDesign.Workflows.Contracts;
using OpenDesign.Workflows.Domain.Events;

namespace OpenDesign.Workflows.Api.Sse;

/// <summary>
/// One SSE response: subscribe first, then replay from the store after the client's cursor, then deliver live events,
/// skipping anything already sent. Subscribing before the replay means no event can fall between the two.
/// </summary>
/// <remarks>
/// Memory per stream is bounded: replay pages by bytes (<c>Od:SseReplayPageBytes</c>), the live buffer by bytes and
/// count (<c>Od:SseMaxBufferedBytes</c>, <c>Od:SseMaxBufferedEvents</c>), and Kestrel holds at most its response
/// buffer. When the live buffer overflows while a write to this client was held up by the client, the client is too
/// far behind: the stream ends with a <c>resume</c> frame naming the last event it delivered, so the client reconnects
/// from there and reads the rest from the store. An overflow while no write was held up (a burst larger than the
/// buffer reaching an idle client) is filled from the store without ending the stream.
/// </remarks>
internal sealed class SseStream(HttpContext context, TimeSpan keepAlive)
{
    private static readonly byte[] Opening = Encoding.UTF8.GetBytes(": connected\n\n");
    private static readonly byte[] KeepAliveFrame = Encoding.UTF8.GetBytes(": keepalive\n\n");

    public required Func<long, EventPage> ReadAfter { get; init; }
    public required Func<StoredEvent, long> CursorOf { get; init; }
    public required Func<StoredEvent, byte[]> FrameOf { get; init; }
    /// <summary>True for the event after which the stream ends (a run's <c>end</c>).</summary>
    public Func<StoredEvent, bool> IsFinal { get; init; } = _ => false;

    /// <summary>
    /// Whether cursors are gap-free (a run's sequence). Then a live event that skips ahead shows that one arrived out
    /// of order (another process wrote it) and the stream fills the gap from the store. The global feed's ids have
    /// gaps by nature, so it always reads the store when woken.
    /// </summary>
    public bool Contiguous { get; init; }

    private enum State { Open, Ended, CutOff }

    public async Task RunAsync(EventSubscription subscription, long after, bool follow, Func<StoredEvent?>? finalWhenCaughtUp = null)
    {
        var response = context.Response;
        var ct = context.RequestAborted;
        response.Headers.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache, no-transform";
        response.Headers["X-Accel-Buffering"] = "no";
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        // Kestrel sends no headers until the first write; a client waiting for its first event must see the stream open.
        await response.Body.WriteAsync(Opening, ct);
        await response.Body.FlushAsync(ct);

        var cursor = after;
        try
        {
            var (sent, state) = await CatchUpAsync(subscription, cursor, ct);
            cursor = sent;
            if (state != State.Open) return;
            if (finalWhenCaughtUp?.Invoke() is { } final)
            {
                // The run has ended: whatever it wrote after the first pass is in the store now, so a second pass sends
                // it. A client whose cursor was already past the end gets the terminal frame again, so it sees the end.
                (cursor, state) = await CatchUpAsync(subscription, cursor, ct);
                if (state == State.CutOff) return;
                if (state != State.Ended) await response.Body.WriteAsync(FrameOf(final), ct);
                await response.Body.FlushAsync(ct);
                return;
            }
            if (!follow) return;

            while (!ct.IsCancellationRequested)
            {
                // Dropped while this client kept up (its buffer was drained when the burst arrived): fill from the store.
                if (subscription.TakeOverflowed())
                {
                    (cursor, state) = await CatchUpAsync(subscription, cursor, ct);
                    if (state != State.Open) return;
                }
                using (var wait = CancellationTokenSource.CreateLinkedTokenSource(ct))
                {
                    wait.CancelAfter(keepAlive);
                    try
                    {
                        if (!await subscription.WaitToReadAsync(wait.Token)) return;
                    }
                    catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                    {
                        await response.Body.WriteAsync(KeepAliveFrame, ct);
                        await response.Body.FlushAsync(ct);
                        continue;
                    }
                }
                if (!Contiguous)
                {
                    while (subscription.TryRead(out _)) { }
                    (cursor, state) = await CatchUpAsync(subscription, cursor, ct);
                    if (state != State.Open) return;
                    continue;
                }
                while (subscription.TryRead(out var e))
                {
                    if (CursorOf(e) <= cursor) continue;
                    if (CursorOf(e) != cursor + 1)
                    {
                        (cursor, state) = await CatchUpAsync(subscription, cursor, ct);
                        if (state != State.Open) return;
                        continue;
                    }
                    var held = await WriteAsync(FrameOf(e), ct);
                    cursor = CursorOf(e);
                    if (IsFinal(e))
                    {
                        await response.Body.FlushAsync(ct);
                        return;
                    }
                    if (held && subscription.Overflowed)
                    {
                        await CutOffAsync(cursor, ct);
                        return;
                    }
                }
                await response.Body.FlushAsync(ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The client went away; nothing to clean up beyond the subscription the caller disposes.
        }
    }

    /// <summary>
    /// Replays everything after the cursor, a page (bounded by bytes) at a time. Events written after a run's
    /// <c>end</c> (an external request whose workflow finished cancelling later) are replayed too, so "ended" means
    /// the final frame was among what was sent. Live events the replay has passed are dropped from the buffer as it
    /// goes, so they do not fill it.
    /// </summary>
    private async Task<(long Cursor, State State)> CatchUpAsync(EventSubscription subscription, long cursor, CancellationToken ct)
    {
        var ended = false;
        while (true)
        {
            var page = ReadAfter(cursor);
            foreach (var e in page)
            {
                var held = await WriteAsync(FrameOf(e), ct);
                cursor = CursorOf(e);
                ended |= IsFinal(e);
                if (held && subscription.Overflowed && !ended)
                {
                    await CutOffAsync(cursor, ct);
                    return (cursor, State.CutOff);
                }
            }
            await context.Response.Body.FlushAsync(ct);
            while (subscription.TryPeek(out var passed) && CursorOf(passed) <= cursor) subscription.TryRead(out _);
            if (!page.More) return (cursor, ended ? State.Ended : State.Open);
        }
    }

    /// <summary>Writes a frame; true when the client held the write up (Kestrel's buffer was full), i.e. it is not keeping up.</summary>
    private async ValueTask<bool> WriteAsync(byte[] frame, CancellationToken ct)
    {
        var write = context.Response.Body.WriteAsync(frame, ct);
        if (write.IsCompletedSuccessfully) return false;
        await write;
        return true;
    }

    private async Task CutOffAsync(long cursor, CancellationToken ct)
    {
        await context.Response.Body.WriteAsync(ResumeFrame(cursor), ct);
        await context.Response.Body.FlushAsync(ct);
    }

    /// <summary>The last frame of a stream that fell too far behind; its <c>id:</c> is what an EventSource resumes from.</summary>
    internal static byte[] ResumeFrame(long cursor)
    {
        var data = JsonSerializer.Serialize(new StreamResume(cursor, StreamResume.TooFarBehind), OdJsonContext.Default.StreamResume);
        return Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"id: {cursor}\nevent: {StreamResume.EventName}\ndata: {data}\n\n"));
    }
}
