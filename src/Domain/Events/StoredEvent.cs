using System.Globalization;
using System.Text;

namespace OpenDesign.Workflows.Domain.Events;

/// <summary>
/// One durable event. <see cref="Id"/> is the global sequence (the /api/events cursor), <see cref="Seq"/> the
/// per-run sequence (the run stream's cursor). SSE frames are rendered once and shared by every subscriber.
/// </summary>
public sealed class StoredEvent(long id, string runId, long seq, string name, string data, DateTimeOffset createdAt)
{
    private byte[]? _runFrame;
    private byte[]? _globalFrame;

    public long Id { get; } = id;
    public string RunId { get; } = runId;
    public long Seq { get; } = seq;
    public string Name { get; } = name;
    public string Data { get; } = data;
    public DateTimeOffset CreatedAt { get; } = createdAt;

    public byte[] RunFrame => _runFrame ??= Frame(Seq);
    public byte[] GlobalFrame => _globalFrame ??= Frame(Id);

    private byte[] Frame(long cursor) =>
        Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"id: {cursor}\nevent: {Name}\ndata: {Data}\n\n"));
}
