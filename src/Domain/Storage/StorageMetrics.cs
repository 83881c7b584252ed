using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace OpenDesign.Workflows.Domain.Storage;

/// <summary>
/// What the durable path costs, for operators (<c>dotnet-counters monitor --counters OpenDesign.Workflows.Storage</c>)
/// and any OpenTelemetry exporter: how long callers wait for their change to be durable, how large and how long each
/// group commit is, and how long WAL checkpoint passes take. A recorded value costs nothing while nobody listens; only
/// the queueing time stamp is taken for every unit.
/// </summary>
internal static class StorageMetrics
{
    public const string MeterName = "OpenDesign.Workflows.Storage";

    private static readonly Meter Meter = new(MeterName);

    /// <summary>From a unit being queued to its batch being durable: the storage part of a caller's latency.</summary>
    private static readonly Histogram<double> Wait = Meter.CreateHistogram<double>(
        "od.storage.wait.duration", "s", "Time from a write being queued until it is committed and synced.");

    private static readonly Histogram<double> BatchDuration = Meter.CreateHistogram<double>(
        "od.storage.batch.duration", "s", "Time one group commit takes, its fsync included.");

    private static readonly Histogram<int> BatchSize = Meter.CreateHistogram<int>(
        "od.storage.batch.size", "{unit}", "Writes committed together under one fsync.");

    private static readonly Histogram<double> Checkpoint = Meter.CreateHistogram<double>(
        "od.storage.checkpoint.duration", "s", "Time one WAL checkpoint pass takes; the writer's own passes hold its next batch.");

    public static bool WaitEnabled => Wait.Enabled;

    public static void Batch(long startedAt, long committedAt, int units)
    {
        BatchDuration.Record(Stopwatch.GetElapsedTime(startedAt, committedAt).TotalSeconds);
        BatchSize.Record(units);
    }

    public static void Waited(long queuedAt, long committedAt) =>
        Wait.Record(Stopwatch.GetElapsedTime(queuedAt, committedAt).TotalSeconds);

    /// <summary>A pass by the background thread, or by the writer itself between two batches.</summary>
    public static void CheckpointPass(long startedAt, bool byWriter) =>
        Checkpoint.Record(Stopwatch.GetElapsedTime(startedAt).TotalSeconds,
            new KeyValuePair<string, object?>("od.storage.checkpoint.by", byWriter ? "writer" : "background"));
}
