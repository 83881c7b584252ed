using OpenDesign.Workflows.Api.Sse;
using OpenDesign.Workflows.Domain.Events;

namespace OpenDesign.Workflows.Api.Tests;

/// <summary>An event's frames are rendered once and shared by every subscriber; each stream numbers it with its own cursor.</summary>
public sealed class SseFramesTests
{
    private static readonly StoredEvent Event = new(42, "run_1", 7, "media_request", """{"a":1}""", DateTimeOffset.UnixEpoch);

    [Fact]
    public void A_run_stream_frame_carries_the_run_sequence_and_is_built_once()
    {
        var first = SseFrames.OfRun(Event);
        Assert.Equal("id: 7\nevent: media_request\ndata: {\"a\":1}\n\n", System.Text.Encoding.UTF8.GetString(first));
        Assert.Same(first, SseFrames.OfRun(Event));
    }

    [Fact]
    public void A_feed_frame_carries_the_global_sequence_and_is_built_once()
    {
        var first = SseFrames.OfFeed(Event);
        Assert.Equal("id: 42\nevent: media_request\ndata: {\"a\":1}\n\n", System.Text.Encoding.UTF8.GetString(first));
        Assert.Same(first, SseFrames.OfFeed(Event));
    }
}
