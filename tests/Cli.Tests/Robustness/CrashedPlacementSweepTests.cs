using System.Diagnostics;

namespace OpenDesign.Workflows.Cli.Tests.Robustness;

/// <summary>
/// What a kill between placing an upload in its project and recording it leaves (the staged file, and a hard link to it
/// under the output's name in the project), planted for the real service process: both go at the next start.
/// </summary>
public sealed class CrashedPlacementSweepTests
{
    [Fact]
    public async Task An_upload_placed_but_never_recorded_is_removed_from_the_project_with_its_staged_file()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "placements are hard links on Linux only");
        string? staged = null, placed = null;
        await using var service = await ServiceProcess.StartAsync(prepare: dataDir =>
        {
            staged = Path.Combine(Directory.CreateDirectory(Path.Combine(dataDir, "staging")).FullName, "00112233445566778899aabbccddeeff.part");
            placed = Path.Combine(Directory.CreateDirectory(Path.Combine(dataDir, "projects", "proj_00000a1b2c3d4e5f60718293")).FullName, "poster.png");
            File.WriteAllBytes(staged, [0x89, 0x50, 0x4E, 0x47, 1, 2, 3]);
            using (var ln = Process.Start("ln", [staged, placed])) ln.WaitForExit();
            Assert.True(File.Exists(placed), "the placement was not planted");
            File.SetLastWriteTimeUtc(staged, DateTime.UtcNow - TimeSpan.FromDays(2));
        });

        for (var i = 0; i < 600 && (File.Exists(staged) || File.Exists(placed)); i++) await Task.Delay(50, TestContext.Current.CancellationToken);

        Assert.False(File.Exists(staged), "the abandoned staged upload is still there");
        Assert.False(File.Exists(placed), "the project still holds a file no request records");
    }
}
