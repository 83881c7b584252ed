using System.Globalization;
using System.Text;
using OpenDesign.Workflows.Domain.Events;

namespace OpenDesign.Workflows.Api.Sse;

/// <summary>
/// An event as an SSE frame, rendered once per event and sequence and cached on the event, so a fan-out to many
/// subscribers writes the same bytes instead of rendering them per connection.
/// </summary>
internal static class SseFrames
{
    /// <summary>The frame on a run's stream: its id is the run's own sequence.</summary>
    public static byte[] OfRun(StoredEvent e) => e.Rendering(EventSequence.Run, static e => Render(e.Seq, e));

    /// <summary>The frame on the global feed: its id is the global sequence.</summary>
    public static byte[] OfFeed(StoredEvent e) => e.Rendering(EventSequence.Global, static e => Render(e.Id, e));

    private static byte[] Render(long cursor, StoredEvent e) =>
        Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"id: {cursor}\nevent: {e.Name}\ndata: {e.Data}\n\n"));
}
