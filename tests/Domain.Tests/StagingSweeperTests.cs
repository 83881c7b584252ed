using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using OpenDesign.Workflows.Domain.Files;
using OpenDesign.Workflows.Domain.MediaRequests;
using OpenDesign.Workflows.Domain.Storage;
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
        _sweeper = new StagingSweeper(_options, _clock, new MediaRequestStore(new Database(_options)), NullLogger<StagingSweeper>.Instance);
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

    [Fact]
    public void A_crash_between_placing_and_recording_leaves_a_project_name_that_goes_with_the_staged_file_unless_recorded()
    {
        Assert.SkipUnless(UnixFiles.Supported, "placements are hard links on Linux only");
        var old = _clock.GetUtcNow() - TimeSpan.FromHours(25);
        // Killed before the record: the upload's bytes under their placed name, recorded nowhere.
        var unrecorded = Staged("unrecorded.part", old);
        var orphan = Link(unrecorded, "proj_a", "shots/poster.png");
        // Killed after the record, before the staged name went: the project file is the request's and stays.
        var recorded = Staged("recorded.part", old);
        var kept = Link(recorded, "proj_b", "poster.png");
        // The same name in another project, recorded there, does not protect the orphan.
        Record("proj_b", "shots/poster.png");
        Record("proj_b", "poster.png");

        Assert.Equal(2, _sweeper.Sweep());

        Assert.False(File.Exists(unrecorded));
        Assert.False(File.Exists(orphan));
        Assert.False(File.Exists(recorded));
        Assert.Equal([1, 2, 3], File.ReadAllBytes(kept));
    }

    private string Link(string staged, string project, string relative)
    {
        var path = Path.Combine(_options.ProjectsDir, project, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        Assert.Equal(0, UnixFiles.LinkNoReplace(staged, path));
        return path;
    }

    /// <summary>A fulfilled request naming <paramref name="relative"/>, as the store writes one, without its run and project (foreign keys off).</summary>
    private void Record(string project, string relative)
    {
        using var connection = new SqliteConnection($"Data Source={_options.DatabasePath};Pooling=False;Foreign Keys=False");
        connection.Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "INSERT INTO media_requests (id, run_id, project_id, status, body) VALUES ($id, 'run_x', $project, 'fulfilled', $body)";
        cmd.Parameters.AddWithValue("$id", "mreq_" + Guid.NewGuid().ToString("N"));
        cmd.Parameters.AddWithValue("$project", project);
        cmd.Parameters.AddWithValue("$body", $$$"""{"status":"fulfilled","fulfilledFile":{"name":"poster.png","kind":"image","mime":"image/png","size":3,"path":"{{{relative}}}","sha256":"00"}}""");
        cmd.ExecuteNonQuery();
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
