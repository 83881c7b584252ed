namespace OpenDesign.Workflows.Domain.Events;

/// <summary>
/// One durable event. <see cref="Id"/> is the global sequence (the /api/events cursor), <see cref="Seq"/> the
/// per-run sequence (the run stream's cursor).
/// </summary>
public sealed class StoredEvent(long id, string runId, long seq, string name, string data, DateTimeOffset createdAt)
{
    private object? _runRendering;
    private object? _globalRendering;

    public long Id { get; } = id;
    public string RunId { get; } = runId;
    public long Seq { get; } = seq;
    public string Name { get; } = name;
    public string Data { get; } = data;
    public DateTimeOffset CreatedAt { get; } = createdAt;

    /// <summary>
    /// A rendering of this event for one of its two sequences, built on first use and kept on the event, so the fan-out
    /// to every subscriber shares one (the Api keeps its SSE frames here). The domain never reads it. Two first uses
    /// racing may both render; the event then keeps either, and both are equal.
    /// </summary>
    public T Rendering<T>(EventSequence sequence, Func<StoredEvent, T> render) where T : class =>
        (T)(sequence == EventSequence.Run
            ? _runRendering ??= render(this)
            : _globalRendering ??= render(this));
}

/// <summary>Which cursor a reader follows: a run's own sequence (<see cref="StoredEvent.Seq"/>) or the global one (<see cref="StoredEvent.Id"/>).</summary>
public enum EventSequence
{
    Run,
    Global,
}
