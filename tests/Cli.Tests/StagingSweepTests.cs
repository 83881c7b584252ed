namespace OpenDesign.Workflows.Cli.Tests;

/// <summary>The real service process clears uploads a crashed run left in staging, and only those.</summary>
public sealed class StagingSweepTests
{
    [Fact]
    public async Task Staged_uploads_abandoned_long_ago_are_removed_at_start_and_fresh_ones_stay()
    {
        string? old = null, fresh = null;
        await using var service = await ServiceProcess.StartAsync(prepare: dataDir =>
        {
            var staging = Directory.CreateDirectory(Path.Combine(dataDir, "staging")).FullName;
            old = Path.Combine(staging, "0123456789abcdef0123456789abcdef.part");
            fresh = Path.Combine(staging, "fedcba9876543210fedcba9876543210.part");
            File.WriteAllBytes(old, new byte[3 * 1024 * 1024]);
            File.WriteAllBytes(fresh, [1, 2, 3]);
            // Left by a process killed two days ago, past the default Od:StagingMaxAge of a day.
            File.SetLastWriteTimeUtc(old, DateTime.UtcNow - TimeSpan.FromDays(2));
        });

        for (var i = 0; i < 600 && File.Exists(old); i++) await Task.Delay(50, TestContext.Current.CancellationToken);

        Assert.False(File.Exists(old), "the abandoned staged upload is still there");
        Assert.Equal([1, 2, 3], await File.ReadAllBytesAsync(fresh!, TestContext.Current.CancellationToken));
    }
}
