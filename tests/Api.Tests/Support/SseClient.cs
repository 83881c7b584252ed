using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;

namespace OpenDesign.Workflows.Api.Tests.Support;

public sealed record SseFrame(string? Id, string Event, string Data);

/// <summary>Reads an SSE response with the framework's own parser, as a client library would.</summary>
public static class SseClient
{
    public static async Task<HttpResponseMessage> OpenAsync(HttpClient http, string path, string? lastEventId = null, CancellationToken ct = default)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (lastEventId is not null) request.Headers.Add("Last-Event-ID", lastEventId);
        var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        return response;
    }

    public static async IAsyncEnumerable<SseFrame> FramesAsync(HttpResponseMessage response, [EnumeratorCancellation] CancellationToken ct = default)
    {
        var stream = await response.Content.ReadAsStreamAsync(ct);
        await foreach (var item in SseParser.Create(stream).EnumerateAsync(ct))
        {
            yield return new SseFrame(item.EventId, item.EventType, item.Data);
        }
    }

    /// <summary>All frames of a stream that ends by itself (a terminal run, or follow=false).</summary>
    public static async Task<List<SseFrame>> ReadToEndAsync(HttpClient http, string path, string? lastEventId = null)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var response = await OpenAsync(http, path, lastEventId, cts.Token);
        var frames = new List<SseFrame>();
        await foreach (var frame in FramesAsync(response, cts.Token)) frames.Add(frame);
        return frames;
    }

    /// <summary>The first <paramref name="count"/> frames of a live stream.</summary>
    public static async Task<List<SseFrame>> TakeAsync(HttpResponseMessage response, int count, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var frames = new List<SseFrame>();
        await foreach (var frame in FramesAsync(response, cts.Token))
        {
            frames.Add(frame);
            if (frames.Count == count) break;
        }
        return frames;
    }
}
