using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenDesign.Workflows.Domain.MediaRequests;

namespace OpenDesign.Workflows.Domain.Files;

/// <summary>
/// Removes staged uploads that nothing will commit any more: left behind when the process died mid-upload or before
/// a commit. Runs at start and then periodically. A staged file is removed only when it has not been written for
/// <see cref="OdOptions.StagingMaxAge"/> and nobody holds it open for writing (an upload in progress keeps the file
/// locked, and every write refreshes its time). The age must outlast the wait of an external request's staged bytes
/// for its commit activity; see docs/configuration.md. A process killed between placing a staged file in its project
/// (a hard link, <see cref="Placement"/>) and recording it leaves that link too, named by no request: it goes with the
/// staged file.
/// </summary>
public sealed class StagingSweeper(OdOptions options, TimeProvider clock, MediaRequestStore requests, ILogger<StagingSweeper> logger) : BackgroundService
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
                    RemoveUnrecordedPlacements(path);
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

    /// <summary>
    /// Removes the project names of an abandoned staged file that no fulfilled request records. Only a staged file
    /// with more than one link has any, so the projects are searched only after a crash. A name a request records is
    /// kept: the crash came after the record, before the staged name was removed.
    /// </summary>
    private void RemoveUnrecordedPlacements(string stagedPath)
    {
        if (!UnixFiles.Supported || UnixFiles.Identify(stagedPath) is not { Links: > 1 } staged || !Directory.Exists(options.ProjectsDir)) return;
        var everything = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0, IgnoreInaccessible = true };
        foreach (var projectDir in Directory.EnumerateDirectories(options.ProjectsDir))
        {
            foreach (var file in Directory.EnumerateFiles(projectDir, "*", everything))
            {
                if (UnixFiles.Identify(file) is not { } found || !found.SameFileAs(staged)) continue;
                var relative = Path.GetRelativePath(projectDir, file);
                if (requests.IsFileRecorded(Path.GetFileName(projectDir), relative)) continue;
                File.Delete(file);
                logger.LogWarning("Removed {File} from project {Project}: placed by an upload that was never recorded", relative, Path.GetFileName(projectDir));
            }
        }
    }
}
