using System.Collections.ObjectModel;

namespace OpenDesign.Workflows.Domain.Events;

/// <summary>Events read by cursor, bounded by count and by bytes; <see cref="More"/> says whether the bound cut the page short.</summary>
public sealed class EventPage(IList<StoredEvent> events, bool more) : ReadOnlyCollection<StoredEvent>(events)
{
    public bool More { get; } = more;
}
