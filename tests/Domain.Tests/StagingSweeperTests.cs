using Microsoft.Extensions.Logging.Abstractions;
using OpenDesign.Workflows.Domain.Files;
using OpenDesign.Workflows.Domain.Tests.Support;

namespace OpenDesign.Workflows.Domain.Tests;

/// <summary>What one sweep of the staging area removes: staged files unwritten for longer than the age, not in use.</summary>
public sealed class StagingSweeperTests : IDisposable
{
    private readonly TempDir _temp = new();
    private readonly ManualClock _clock = new();
    private readonly OdOptions _options;
    private readonly StagingSweeper _sweeper;

    public StagingSweeperTests()
    {
        _options = new OdOptions { DataDir = _temp.Path, StagingMaxAge = TimeSpan.FromHours(24) };
        Directory.CreateDirectory(_options.StagingDir);
        _sweeper = new StagingSweeper(_options, _clock, NullLogger<StagingSweeper>.Instance);
    }

    [Fact]
    public void Only_staged_files_older_than_the_age_and_not_being_written_are_removed()
    {
        var old = Staged("old.part", _clock.GetUtcNow() - TimeSpan.FromHours(25));
        var young = Staged("young.part", _clock.GetUtcNow() - TimeSpan.FromHours(23));
        var writing = Staged("writing.part", _clock.GetUtcNow() - TimeSpan.FromHours(25));
        var other = Staged("callback.key.tmp", _clock.GetUtcNow() - TimeSpan.FromDays(30));
        // How StageAsync holds a file while the upload streams in.
        using (new FileStream(writing, FileMode.Open, FileAccess.Write, FileShare.None))
        {
            Assert.Equal(1, _sweeper.Sweep());
        }

        Assert.False(File.Exists(old));
        Assert.True(File.Exists(young));
        Assert.True(File.Exists(writing));
        Assert.True(File.Exists(other));
    }

    [Fact]
    public void Time_passing_makes_a_staged_file_abandoned()
    {
        var staged = Staged("a.part", _clock.GetUtcNow());
        Assert.Equal(0, _sweeper.Sweep());
        _clock.Advance(TimeSpan.FromHours(24) + TimeSpan.FromSeconds(1));
        Assert.Equal(1, _sweeper.Sweep());
        Assert.False(File.Exists(staged));
    }

    [Fact]
    public void The_sweep_interval_is_a_quarter_of_the_age_at_most_an_hour()
    {
        Assert.Equal(TimeSpan.FromHours(1), _sweeper.Interval);
        _options.StagingMaxAge = TimeSpan.FromMinutes(20);
        Assert.Equal(TimeSpan.FromMinutes(5), _sweeper.Interval);
    }

    private string Staged(string name, DateTimeOffset written)
    {
        var path = Path.Combine(_options.StagingDir, name);
        File.WriteAllBytes(path, [1, 2, 3]);
        File.SetLastWriteTimeUtc(path, written.UtcDateTime);
        return path;
    }

    public void Dispose() => _temp.Dispose();
}
