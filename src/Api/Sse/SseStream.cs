using System.Text;
using Microsoft.AspNetCore.Http.Features;
using OpenDesign.Workflows.Domain.Events;

namespace OpenDesign.Workflows.Api.Sse;

/// <summary>
/// One SSE response: subscribe first, then replay from the store after the client's cursor, then deliver live events,
/// skipping anything already sent. Subscribing before the replay means no event can fall between the two; a lagged
/// subscriber goes back to the store, so a slow client never loses an event or slows the writer.
/// </summary>
internal sealed class SseStream(HttpContext context, TimeSpan keepAlive)
{
    private static readonly byte[] Opening = Encoding.UTF8.GetBytes(": connected\n\n");
    private static readonly byte[] KeepAliveFrame = Encoding.UTF8.GetBytes(": keepalive\n\n");

    public required Func<long, IReadOnlyList<StoredEvent>> ReadAfter { get; init; }
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
            var (sent, ended) = await CatchUpAsync(cursor, ct);
            cursor = sent;
            if (ended) return;
            if (finalWhenCaughtUp?.Invoke() is { } final)
            {
                // The run has ended: whatever it wrote after the first pass is in the store now, so a second pass sends
                // it. A client whose cursor was already past the end gets the terminal frame again, so it sees the end.
                (cursor, ended) = await CatchUpAsync(cursor, ct);
                if (!ended) await response.Body.WriteAsync(FrameOf(final), ct);
                await response.Body.FlushAsync(ct);
                return;
            }
            if (!follow) return;

            var reader = subscription.Reader;
            while (!ct.IsCancellationRequested)
            {
                using (var wait = CancellationTokenSource.CreateLinkedTokenSource(ct))
                {
                    wait.CancelAfter(keepAlive);
                    try
                    {
                        if (!await reader.WaitToReadAsync(wait.Token)) return;
                    }
                    catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                    {
                        await response.Body.WriteAsync(KeepAliveFrame, ct);
                        await response.Body.FlushAsync(ct);
                        continue;
                    }
                }
                if (subscription.TakeLagged())
                {
                    (cursor, ended) = await CatchUpAsync(cursor, ct);
                    if (ended) return;
                }
                if (!Contiguous)
                {
                    while (reader.TryRead(out _)) { }
                    (cursor, _) = await CatchUpAsync(cursor, ct);
                    continue;
                }
                while (reader.TryRead(out var e))
                {
                    if (CursorOf(e) <= cursor) continue;
                    if (CursorOf(e) != cursor + 1)
                    {
                        (cursor, ended) = await CatchUpAsync(cursor, ct);
                        if (ended) return;
                        continue;
                    }
                    await response.Body.WriteAsync(FrameOf(e), ct);
                    cursor = CursorOf(e);
                    if (IsFinal(e))
                    {
                        await response.Body.FlushAsync(ct);
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
    /// Replays everything after the cursor. Events written after a run's <c>end</c> (an external request whose workflow
    /// finished cancelling later) are replayed too, so "ended" means the final frame was among what was sent.
    /// </summary>
    private async Task<(long Cursor, bool Ended)> CatchUpAsync(long cursor, CancellationToken ct)
    {
        var ended = false;
        while (true)
        {
            var page = ReadAfter(cursor);
            foreach (var e in page)
            {
                await context.Response.Body.WriteAsync(FrameOf(e), ct);
                cursor = CursorOf(e);
                ended |= IsFinal(e);
            }
            await context.Response.Body.FlushAsync(ct);
            if (page.Count < EventStore.PageSize) return (cursor, ended);
        }
    }
}
