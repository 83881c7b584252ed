using Google.Protobuf.WellKnownTypes;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.History.V1;

namespace OpenDesign.Workflows.Temporal.TestServer.Engine;

// Owns a run's event list and its buffer. Core rejects histories whose event ids have gaps or
// whose order differs from a real server, so every event goes through here:
//  - Append writes an event now, with the next id and the clock's time.
//  - Buffer holds events that arrive while a workflow task is started (signals, activity results,
//    timer fires, cancel requests); a real server writes them only after WorkflowTaskCompleted and
//    the command events of that task, which is what Flush does.
// Completion events (ActivityTaskCompleted/Failed/TimedOut/Canceled) are buffered right behind the
// ActivityTaskStarted they refer to, before either has an id, so their started_event_id is filled in
// when ids are assigned (StartedEventIdFromPrevious).
internal sealed class HistoryBuilder(ServerClock clock)
{
    public const long StartedEventIdFromPrevious = -1;

    private readonly List<HistoryEvent> _events = [];
    private readonly List<HistoryEvent> _buffered = [];
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public int Count => _events.Count;
    public long LastEventId => _events.Count;
    public int BufferedCount => _buffered.Count;
    public IReadOnlyList<HistoryEvent> Events => _events;
    public long SizeBytes { get; private set; }

    // Completes (and is replaced) whenever an event is written; long polls wait on it.
    public Task Changed => _changed.Task;

    public HistoryEvent Append(HistoryEvent e)
    {
        e.EventTime ??= Timestamp.FromDateTime(clock.UtcNow);
        Assign(e);
        Notify();
        return e;
    }

    public void Buffer(HistoryEvent e)
    {
        e.EventTime ??= Timestamp.FromDateTime(clock.UtcNow);
        _buffered.Add(e);
    }

    public int Flush()
    {
        var count = _buffered.Count;
        foreach (var e in _buffered)
        {
            Assign(e);
        }
        _buffered.Clear();
        if (count > 0)
        {
            Notify();
        }
        return count;
    }

    public void DiscardBuffer() => _buffered.Clear();

    private void Assign(HistoryEvent e)
    {
        e.EventId = _events.Count + 1;
        FixStartedReference(e, _events.Count);
        _events.Add(e);
        SizeBytes += e.CalculateSize();
    }

    private static void FixStartedReference(HistoryEvent e, long previousId)
    {
        switch (e.EventType)
        {
            case EventType.ActivityTaskCompleted when e.ActivityTaskCompletedEventAttributes.StartedEventId == StartedEventIdFromPrevious:
                e.ActivityTaskCompletedEventAttributes.StartedEventId = previousId;
                break;
            case EventType.ActivityTaskFailed when e.ActivityTaskFailedEventAttributes.StartedEventId == StartedEventIdFromPrevious:
                e.ActivityTaskFailedEventAttributes.StartedEventId = previousId;
                break;
            case EventType.ActivityTaskTimedOut when e.ActivityTaskTimedOutEventAttributes.StartedEventId == StartedEventIdFromPrevious:
                e.ActivityTaskTimedOutEventAttributes.StartedEventId = previousId;
                break;
            case EventType.ActivityTaskCanceled when e.ActivityTaskCanceledEventAttributes.StartedEventId == StartedEventIdFromPrevious:
                e.ActivityTaskCanceledEventAttributes.StartedEventId = previousId;
                break;
            default:
                break;
        }
    }

    private void Notify()
    {
        var previous = _changed;
        _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        previous.TrySetResult();
    }
}
