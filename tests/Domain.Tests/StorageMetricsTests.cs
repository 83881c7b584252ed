using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using OpenDesign.Workflows.Domain.Storage;
using OpenDesign.Workflows.Domain.Tests.Support;

namespace OpenDesign.Workflows.Domain.Tests;

/// <summary>The meter is process-wide, so these run alone: no other test's writer may report into them.</summary>
[CollectionDefinition(nameof(StorageMetricsTests), DisableParallelization = true)]
public sealed class StorageMetricsCollection;

/// <summary>What operators read about the durable path: every caller's wait, every batch, every checkpoint pass.</summary>
[Collection(nameof(StorageMetricsTests))]
public sealed class StorageMetricsTests : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<(string Name, double Value, string? By)> _seen = new();

    public StorageMetricsTests()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "OpenDesign.Workflows.Storage") listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => _seen.Enqueue((instrument.Name, value, By(tags))));
        _listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => _seen.Enqueue((instrument.Name, value, By(tags))));
        _listener.Start();
    }

    public void Dispose() => _listener.Dispose();

    [Fact]
    public async Task Each_write_reports_how_long_it_waited_and_each_batch_its_size_and_duration()
    {
        await using var h = new DomainHarness();
        using var entered = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        // Hold the writer inside one unit: the five queued behind it commit together in the next batch.
        var blocker = h.Writer.ExecuteAsync(ctx =>
        {
            entered.Set();
            release.Wait(TimeSpan.FromSeconds(10));
        });
        Assert.True(entered.Wait(TimeSpan.FromSeconds(10)));
        _seen.Clear();
        var queuedAt = Stopwatch.GetTimestamp();
        var units = Enumerable.Range(0, 5)
            .Select(i => h.Writer.ExecuteAsync(ctx => ctx.Command("INSERT INTO applied_effects (key, applied_at) VALUES ($key, 'now')").With("$key", $"m{i}").ExecuteNonQuery()))
            .ToList();
        // Busy work instead of a sleep: the queued units have waited at least this long before the writer is let go.
        while (Stopwatch.GetElapsedTime(queuedAt) < TimeSpan.FromMilliseconds(20)) Thread.SpinWait(100);
        var heldFor = Stopwatch.GetElapsedTime(queuedAt).TotalSeconds;
        release.Set();
        await blocker;
        await Task.WhenAll(units);

        Assert.Equal([1.0, 5.0], Values("od.storage.batch.size"));
        var batches = Values("od.storage.batch.duration");
        Assert.Equal(2, batches.Count);
        Assert.True(batches[0] >= heldFor, $"the held batch took {batches[0]} s, held {heldFor} s");
        var waits = Values("od.storage.wait.duration");
        Assert.Equal(6, waits.Count);
        Assert.All(waits.Skip(1), w => Assert.True(w >= heldFor, $"a queued unit reports {w} s, held {heldFor} s"));
        // A queued unit waited for the held batch and then for its own.
        Assert.All(waits.Skip(1), w => Assert.True(w <= heldFor + batches[0] + batches[1] + 1));
    }

    [Fact]
    public async Task Checkpoint_passes_report_their_duration_and_who_ran_them()
    {
        // Under steady writes the background thread passes every 10 ms and hands the writer its own pass before each
        // rewind of the 1 MiB log.
        await using var store = new ShortLogWriter();
        var written = 0;
        for (var round = 0; round < 200 && !(Seen("background") && Seen("writer")); round++)
        {
            await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(async () =>
            {
                for (var i = 0; i < 10; i++) await store.InsertAsync($"{Interlocked.Increment(ref written)}-", 3000);
            })));
        }
        Assert.True(Seen("background"), "no background checkpoint pass was reported");
        Assert.True(Seen("writer"), "no writer checkpoint pass was reported");
    }

    private bool Seen(string by) => _seen.Any(m => m.Name == "od.storage.checkpoint.duration" && m.By == by);

    private List<double> Values(string name) => _seen.Where(m => m.Name == name).Select(m => m.Value).ToList();

    private static string? By(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        foreach (var tag in tags)
        {
            if (tag.Key == "od.storage.checkpoint.by") return tag.Value as string;
        }
        return null;
    }
}
