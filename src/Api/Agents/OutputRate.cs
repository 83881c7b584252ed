using System.Diagnostics;

namespace OpenDesign.Workflows.Api.Agents;

/// <summary>
/// A token bucket over one run's output lines (both streams share it): a burst of <c>burst</c> lines, refilled at
/// <c>perSecond</c>. A line that finds the bucket empty is dropped and counted, so a flooding agent costs bounded
/// storage; the count is reported in an <c>output_dropped</c> event before the next line that is kept.
/// </summary>
internal sealed class OutputRate(double perSecond, int burst)
{
    private readonly Lock _lock = new();
    private double _tokens = burst;
    private long _last = Stopwatch.GetTimestamp();

    public bool TryTake()
    {
        lock (_lock)
        {
            var now = Stopwatch.GetTimestamp();
            _tokens = Math.Min(burst, _tokens + (Stopwatch.GetElapsedTime(_last, now).TotalSeconds * perSecond));
            _last = now;
            if (_tokens < 1) return false;
            _tokens -= 1;
            return true;
        }
    }
}
