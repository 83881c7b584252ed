namespace OpenDesign.Workflows.Domain.Events;

public static class EventNames
{
    public const string MediaRequest = Contracts.MediaRequestEvent.EventName;

    public const string MediaTask = Contracts.MediaTaskEvent.EventName;

    /// <summary>Whether the global feed (<c>/api/events</c>) carries events of this name.</summary>
    public static bool IsOnFeed(string name) => name is MediaRequest or MediaTask;

    /// <summary>The run's terminal frame; a run stream closes after it.</summary>
    public const string End = Contracts.RunEndPayload.EventName;
}
