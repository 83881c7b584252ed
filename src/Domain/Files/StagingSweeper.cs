using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace OpenDesign.Workflows.Domain.Files;

/// <summary>
/// Removes staged uploads that nothing will commit any more: left behind when the process died mid-upload or before
/// a commit. Runs at start and then periodically. A staged file is removed only when it has not been written for
/// <see cref="OdOptions.StagingMaxAge"/> and nobody holds it open for writing (an upload in progress keeps the file
/// locked, and every write refreshes its time). The age must outlast the wait of an external request's staged bytes
/// for its commit activity; see docs/configuration.md.
/// </summary>
public sealed class StagingSweeper(OdOptions options, TimeProvider clock, ILogger<StagingSweeper> logger) : BackgroundService
{
    /// <summary>How often the staging area is swept: often enough that nothing stays much past its age, at most hourly.</summary>
    public TimeSpan Interval => options.StagingMaxAge / 4 < TimeSpan.FromHours(1) ? options.StagingMaxAge / 4 : TimeSpan.FromHours(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.StagingMaxAge <= TimeSpan.Zero) return;
        using var timer = new PeriodicTimer(Interval, clock);
        do
        {
            try
            {
                Sweep();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                logger.LogWarning(e, "Sweeping the staging area failed; it is tried again later");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>One pass; returns how many staged files were removed.</summary>
    public int Sweep()
    {
        if (!Directory.Exists(options.StagingDir)) return 0;
        var cutoff = clock.GetUtcNow().UtcDateTime - options.StagingMaxAge;
        var removed = 0;
        foreach (var path in Directory.EnumerateFiles(options.StagingDir, "*.part"))
        {
            if (File.GetLastWriteTimeUtc(path) > cutoff) continue;
            try
            {
                // The writer holds its staged file with FileShare.None (an exclusive lock on Unix): if this open fails,
                // the upload is still being written.
                using (new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.None))
                {
                    File.Delete(path);
                }
                removed++;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // In use, or gone already (committed or discarded meanwhile).
            }
        }
        if (removed > 0) logger.LogInformation("Removed {Count} abandoned staged uploads older than {MaxAge}", removed, options.StagingMaxAge);
        return removed;
    }
}
