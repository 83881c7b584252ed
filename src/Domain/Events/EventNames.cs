namespace OpenDesign.Workflows.Domain.Events;

public static class EventNames
{
    public const string MediaRequest = Contracts.MediaRequestEvent.EventName;

    /// <summary>The run's terminal frame; a run stream closes after it.</summary>
    public const string End = Contracts.RunEndPayload.EventName;
}
