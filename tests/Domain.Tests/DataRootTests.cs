using OpenDesign.Workflows.Domain.Tests.Support;

namespace OpenDesign.Workflows.Domain.Tests;

/// <summary>Open Design's data-root rule and the start-up writability check.</summary>
public sealed class DataRootTests : IDisposable
{
    private const string Home = "/home/alice";
    private const string Cwd = "/srv/cwd";
    private const string ProjectRoot = "/srv/project";

    private readonly TempDir _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    // unset: <projectRoot>/.od, with projectRoot = OD_PROJECT_ROOT or the working directory
    [InlineData(null, ProjectRoot, "/srv/project/.od")]
    [InlineData("", ProjectRoot, "/srv/project/.od")]
    [InlineData("   ", ProjectRoot, "/srv/project/.od")]
    [InlineData(null, null, "/srv/cwd/.od")]
    [InlineData(null, "  ", "/srv/cwd/.od")]
    // absolute
    [InlineData("/var/lib/od", ProjectRoot, "/var/lib/od")]
    [InlineData("  /var/lib/od  ", ProjectRoot, "/var/lib/od")]
    [InlineData("/var/lib/od/../od2/./x", ProjectRoot, "/var/lib/od2/x")]
    // relative: anchored to the project root, not to the working directory
    [InlineData("data", ProjectRoot, "/srv/project/data")]
    [InlineData("./data/od", ProjectRoot, "/srv/project/data/od")]
    [InlineData("../shared-od", ProjectRoot, "/srv/shared-od")]
    [InlineData("data", null, "/srv/cwd/data")]
    // home expansion
    [InlineData("~", ProjectRoot, Home)]
    [InlineData("~/od-data", ProjectRoot, "/home/alice/od-data")]
    [InlineData("$HOME/od-data", ProjectRoot, "/home/alice/od-data")]
    [InlineData("${HOME}/od-data", ProjectRoot, "/home/alice/od-data")]
    [InlineData("${HOME}", ProjectRoot, Home)]
    public void Resolve_follows_Open_Designs_rule(string? dataDir, string? projectRoot, string expected) =>
        Assert.Equal(expected, DataRoot.Resolve(dataDir, projectRoot, Cwd, Home));

    [Theory]
    [InlineData("relative-root", "/srv/cwd/relative-root/.od")]
    [InlineData("~/proj", "/home/alice/proj/.od")]
    [InlineData("$HOME/proj", "/home/alice/proj/.od")]
    public void The_project_root_itself_expands_home_and_anchors_to_the_working_directory(string projectRoot, string expected) =>
        Assert.Equal(expected, DataRoot.Resolve(null, projectRoot, Cwd, Home));

    [Fact]
    public void A_relative_data_dir_under_a_relative_project_root_lands_under_the_project_root() =>
        Assert.Equal("/srv/cwd/proj/data", DataRoot.Resolve("data", "proj", Cwd, Home));

    [Fact]
    public void A_relative_data_dir_ignores_the_process_working_directory()
    {
        var resolved = DataRoot.Resolve("data", ProjectRoot, Cwd, Home);
        Assert.DoesNotContain(Environment.CurrentDirectory, resolved, StringComparison.Ordinal);
        Assert.Equal("/srv/project/data", resolved);
    }

    [Fact]
    public void Without_a_home_the_tilde_is_not_expanded() =>
        Assert.Equal("/srv/project/~/x", DataRoot.Resolve("~/x", ProjectRoot, Cwd, null));

    [Fact]
    public void EnsureWritable_creates_missing_directories_and_leaves_no_probe_behind()
    {
        var dir = _temp.Combine("a", "b", "data");
        DataRoot.EnsureWritable(dir);

        Assert.True(Directory.Exists(dir));
        Assert.Empty(Directory.GetFileSystemEntries(dir));
    }

    [Fact]
    public void EnsureWritable_accepts_an_existing_directory_and_keeps_its_files()
    {
        var dir = Directory.CreateDirectory(_temp.Combine("data")).FullName;
        File.WriteAllText(Path.Combine(dir, "app.sqlite"), "x");
        DataRoot.EnsureWritable(dir);
        Assert.Equal([Path.Combine(dir, "app.sqlite")], Directory.GetFileSystemEntries(dir));
    }

    [Fact]
    public void A_data_dir_that_cannot_be_created_gives_a_message_naming_the_path_and_the_fix()
    {
        // A regular file in the way: not even root can create a directory beneath it.
        var file = _temp.Combine("not-a-dir");
        File.WriteAllText(file, "x");
        var dir = Path.Combine(file, "data");

        var e = Assert.Throws<InvalidOperationException>(() => DataRoot.EnsureWritable(dir));

        Assert.StartsWith($"The data directory '{dir}' is not writable (", e.Message, StringComparison.Ordinal);
        Assert.EndsWith("). Set OD_DATA_DIR to a writable directory.", e.Message, StringComparison.Ordinal);
        Assert.NotNull(e.InnerException);
        Assert.False(Directory.Exists(dir));
    }

    [Fact]
    public void A_data_dir_that_is_a_file_is_refused()
    {
        var file = _temp.Combine("data");
        File.WriteAllText(file, "x");

        var e = Assert.Throws<InvalidOperationException>(() => DataRoot.EnsureWritable(file));
        Assert.StartsWith($"The data directory '{file}' is not writable (", e.Message, StringComparison.Ordinal);
    }
}
