namespace OpenDesign.Workflows.Contracts;

/// <summary>
/// The data of the <c>resume</c> frame that ends an SSE stream whose client fell too far behind. <see cref="After"/>
/// (also the frame's <c>id:</c>) is the last event the stream delivered: reconnect with it as <c>Last-Event-ID</c>
/// (or <c>?after=</c>) to get every later event from the store.
/// </summary>
public sealed record StreamResume(long After, string Reason)
{
    public const string EventName = "resume";

    /// <summary>The client did not read fast enough: its live buffer (<c>Od:SseMaxBufferedBytes</c>, <c>Od:SseMaxBufferedEvents</c>) filled up.</summary>
    public const string TooFarBehind = "too_far_behind";
}
