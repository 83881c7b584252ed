namespace OpenDesign.Workflows.Temporal.TestServer.Engine;

// The one clock every timestamp and timeout in the server reads. It runs at real speed but can be
// moved forward: virtual now = real now + an offset that only grows. Timers (workflow timers,
// activity timeouts and retry backoffs, workflow-task timeouts) are scheduled here rather than with
// Task.Delay so that skipping time fires them in due order, and so Workflow.UtcNow (taken from the
// WorkflowTaskStarted event time) agrees with the skipped clock.
internal sealed class ServerClock : IDisposable
{
    private readonly Lock _lock = new();
    private readonly SortedSet<ClockTimer> _pending = new(ClockTimer.DueOrder);
    private readonly Timer _driver;
    private long _offsetTicks;
    private long _sequence;
    private bool _disposed;

    public ServerClock()
    {
        _driver = new Timer(_ => FireDue(), null, Timeout.Infinite, Timeout.Infinite);
    }

    public DateTime UtcNow => DateTime.UtcNow.AddTicks(Interlocked.Read(ref _offsetTicks));

    public TimeSpan SkippedSoFar => TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));

    public ClockTimer Schedule(DateTime dueUtc, Action callback)
    {
        var timer = new ClockTimer(this, dueUtc, Interlocked.Increment(ref _sequence), callback);
        lock (_lock)
        {
            _pending.Add(timer);
            ArmDriver();
        }
        return timer;
    }

    public ClockTimer After(TimeSpan delay, Action callback) => Schedule(UtcNow + delay, callback);

    internal void Cancel(ClockTimer timer)
    {
        lock (_lock)
        {
            _pending.Remove(timer);
        }
    }

    // Jumps straight to the earliest pending timer, however far away, and fires it (and anything
    // due with it). Returns false when nothing is pending.
    public bool SkipToNextTimer()
    {
        lock (_lock)
        {
            if (_pending.Count == 0)
            {
                return false;
            }
            var gap = _pending.Min!.DueUtc - UtcNow;
            if (gap > TimeSpan.Zero)
            {
                Interlocked.Add(ref _offsetTicks, gap.Ticks);
            }
        }
        FireDue();
        return true;
    }

    // Moves the clock forward by a fixed amount, firing everything that falls due on the way.
    public void Advance(TimeSpan by)
    {
        if (by > TimeSpan.Zero)
        {
            Interlocked.Add(ref _offsetTicks, by.Ticks);
        }
        FireDue();
    }

    private void FireDue()
    {
        while (true)
        {
            ClockTimer? next;
            lock (_lock)
            {
                if (_disposed || _pending.Count == 0 || _pending.Min!.DueUtc > UtcNow)
                {
                    ArmDriver();
                    return;
                }
                next = _pending.Min;
                _pending.Remove(next);
            }
            next.Callback();
        }
    }

    private void ArmDriver()
    {
        if (_disposed)
        {
            return;
        }
        if (_pending.Count == 0)
        {
            _driver.Change(Timeout.Infinite, Timeout.Infinite);
            return;
        }
        var wait = _pending.Min!.DueUtc - UtcNow;
        // Re-check at least once a minute so a far-away due time never overflows the timer.
        var ms = (long)Math.Clamp(Math.Ceiling(wait.TotalMilliseconds), 0, 60_000);
        _driver.Change(ms, Timeout.Infinite);
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            _pending.Clear();
        }
        _driver.Dispose();
    }
}

internal sealed class ClockTimer(ServerClock clock, DateTime dueUtc, long sequence, Action callback)
{
    public static readonly IComparer<ClockTimer> DueOrder = Comparer<ClockTimer>.Create((a, b) =>
    {
        var byDue = a.DueUtc.CompareTo(b.DueUtc);
        return byDue != 0 ? byDue : a.Sequence.CompareTo(b.Sequence);
    });

    public DateTime DueUtc { get; } = dueUtc;
    public long Sequence { get; } = sequence;
    public Action Callback { get; } = callback;

    public void Cancel() => clock.Cancel(this);
}
