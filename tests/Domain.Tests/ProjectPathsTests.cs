using OpenDesign.Workflows.Contracts;
using OpenDesign.Workflows.Domain.Files;
using OpenDesign.Workflows.Domain.Tests.Support;

namespace OpenDesign.Workflows.Domain.Tests;

/// <summary>Project-relative paths on a real directory tree: what stays inside resolves, everything else is PATH_NOT_ALLOWED.</summary>
public sealed class ProjectPathsTests : IDisposable
{
    private readonly TempDir _temp = new();
    private readonly string _project;
    private readonly string _sibling;
    private readonly string _outside;

    public ProjectPathsTests()
    {
        _project = Directory.CreateDirectory(_temp.Combine("projects", "proj_a")).FullName;
        _sibling = Directory.CreateDirectory(_temp.Combine("projects", "proj_b")).FullName;
        _outside = Directory.CreateDirectory(_temp.Combine("outside")).FullName;
        Directory.CreateDirectory(Path.Combine(_project, "renders"));
        File.WriteAllText(Path.Combine(_project, "renders", "final.png"), "inside");
        File.WriteAllText(Path.Combine(_project, "top.png"), "top");
        File.WriteAllText(Path.Combine(_sibling, "theirs.png"), "sibling");
        File.WriteAllText(Path.Combine(_outside, "secret.txt"), "secret");
    }

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData("top.png", "top.png")]
    [InlineData("renders/final.png", "renders/final.png")]
    [InlineData("./renders/./final.png", "renders/final.png")]
    [InlineData("renders\\final.png", "renders/final.png")]
    [InlineData("renders//final.png", "renders/final.png")]
    [InlineData("not-yet-there.png", "not-yet-there.png")]
    public void A_plain_relative_path_resolves_inside_the_project(string relative, string expected) =>
        Assert.Equal(Path.Combine(_project, expected), ProjectPaths.Resolve(_project, relative));

    [Theory]
    [InlineData("", "path must be a non-empty project-relative path")]
    [InlineData("   ", "path must be a non-empty project-relative path")]
    [InlineData("a\0b.png", "path must be a non-empty project-relative path")]
    [InlineData("/etc/passwd", "path must be relative to the project")]
    [InlineData("~/secret.png", "path must be relative to the project")]
    [InlineData("~", "path must be relative to the project")]
    [InlineData("../proj_b/theirs.png", "path must not contain '..'")]
    [InlineData("renders/../../outside/secret.txt", "path must not contain '..'")]
    [InlineData("renders/..", "path must not contain '..'")]
    [InlineData("..\\proj_b\\theirs.png", "path must not contain '..'")]
    [InlineData(".", "path leaves the project")]
    public void Bad_paths_are_refused(string relative, string message) =>
        Refusal.Expect(() => ProjectPaths.Resolve(_project, relative), 400, ErrorCodes.PathNotAllowed, message);

    [Fact]
    public void An_overlong_path_is_refused() =>
        Refusal.Expect(() => ProjectPaths.Resolve(_project, new string('a', 1025)), 400, ErrorCodes.PathNotAllowed);

    [Fact]
    public void An_absolute_path_to_a_file_inside_the_project_is_still_refused() =>
        Refusal.Expect(() => ProjectPaths.Resolve(_project, Path.Combine(_project, "top.png")), 400, ErrorCodes.PathNotAllowed,
            "path must be relative to the project");

    [Fact]
    public void A_file_link_that_stays_inside_resolves_to_its_target()
    {
        File.CreateSymbolicLink(Path.Combine(_project, "alias.png"), Path.Combine(_project, "renders", "final.png"));
        Assert.Equal(Path.Combine(_project, "renders", "final.png"), ProjectPaths.Resolve(_project, "alias.png"));
    }

    [Fact]
    public void A_relative_directory_link_that_stays_inside_resolves_through_it()
    {
        Directory.CreateSymbolicLink(Path.Combine(_project, "latest"), "renders");
        Assert.Equal(Path.Combine(_project, "renders", "final.png"), ProjectPaths.Resolve(_project, "latest/final.png"));
    }

    [Fact]
    public void A_file_link_that_escapes_is_refused()
    {
        File.CreateSymbolicLink(Path.Combine(_project, "leak.png"), Path.Combine(_outside, "secret.txt"));
        Refusal.Expect(() => ProjectPaths.Resolve(_project, "leak.png"), 400, ErrorCodes.PathNotAllowed,
            "path leaves the project through a symbolic link");
    }

    [Fact]
    public void A_relative_file_link_that_climbs_out_is_refused()
    {
        File.CreateSymbolicLink(Path.Combine(_project, "renders", "up.png"), "../../../outside/secret.txt");
        Refusal.Expect(() => ProjectPaths.Resolve(_project, "renders/up.png"), 400, ErrorCodes.PathNotAllowed,
            "path leaves the project through a symbolic link");
    }

    [Fact]
    public void A_directory_link_that_escapes_is_refused_for_anything_beneath_it()
    {
        Directory.CreateSymbolicLink(Path.Combine(_project, "out"), _outside);
        Refusal.Expect(() => ProjectPaths.Resolve(_project, "out/secret.txt"), 400, ErrorCodes.PathNotAllowed,
            "path leaves the project through a symbolic link");
        Refusal.Expect(() => ProjectPaths.Resolve(_project, "out/not-there.png"), 400, ErrorCodes.PathNotAllowed);
    }

    [Fact]
    public void A_link_into_a_sibling_project_is_refused()
    {
        File.CreateSymbolicLink(Path.Combine(_project, "borrowed.png"), Path.Combine(_sibling, "theirs.png"));
        Directory.CreateSymbolicLink(Path.Combine(_project, "neighbour"), "../proj_b");
        Refusal.Expect(() => ProjectPaths.Resolve(_project, "borrowed.png"), 400, ErrorCodes.PathNotAllowed);
        Refusal.Expect(() => ProjectPaths.Resolve(_project, "neighbour/theirs.png"), 400, ErrorCodes.PathNotAllowed);
    }

    [Fact]
    public void A_link_to_the_project_root_itself_is_refused()
    {
        Directory.CreateSymbolicLink(Path.Combine(_project, "self"), _project);
        Refusal.Expect(() => ProjectPaths.Resolve(_project, "self"), 400, ErrorCodes.PathNotAllowed);
    }

    [Fact]
    public void A_chain_of_links_is_followed_to_its_final_target()
    {
        File.CreateSymbolicLink(Path.Combine(_project, "hop2.png"), Path.Combine(_outside, "secret.txt"));
        File.CreateSymbolicLink(Path.Combine(_project, "hop1.png"), Path.Combine(_project, "hop2.png"));
        Refusal.Expect(() => ProjectPaths.Resolve(_project, "hop1.png"), 400, ErrorCodes.PathNotAllowed);
    }

    [Fact]
    public void A_dangling_link_pointing_outside_is_refused()
    {
        File.CreateSymbolicLink(Path.Combine(_project, "ghost.png"), Path.Combine(_outside, "gone.png"));
        Refusal.Expect(() => ProjectPaths.Resolve(_project, "ghost.png"), 400, ErrorCodes.PathNotAllowed);
    }

    [Fact]
    public void A_dangling_link_inside_resolves_to_its_missing_target_never_to_an_existing_file()
    {
        File.CreateSymbolicLink(Path.Combine(_project, "ghost.png"), Path.Combine(_project, "gone.png"));

        var resolved = ProjectPaths.Resolve(_project, "ghost.png");

        Assert.Equal(Path.Combine(_project, "gone.png"), resolved);
        Assert.False(File.Exists(resolved));
    }

    [Fact]
    public void A_link_loop_is_refused_not_a_failure()
    {
        File.CreateSymbolicLink(Path.Combine(_project, "a.png"), "b.png");
        File.CreateSymbolicLink(Path.Combine(_project, "b.png"), "a.png");
        Directory.CreateSymbolicLink(Path.Combine(_project, "self-dir"), "self-dir");
        Refusal.Expect(() => ProjectPaths.Resolve(_project, "a.png"), 400, ErrorCodes.PathNotAllowed, "path cannot be resolved: a symbolic link loops");
        Refusal.Expect(() => ProjectPaths.Resolve(_project, "self-dir/x.png"), 400, ErrorCodes.PathNotAllowed, "path cannot be resolved: a symbolic link loops");
    }

    [Fact]
    public void A_project_reached_through_a_linked_directory_still_resolves_inside()
    {
        var linkedRoot = _temp.Combine("linked-projects");
        Directory.CreateSymbolicLink(linkedRoot, _temp.Combine("projects"));
        var viaLink = Path.Combine(linkedRoot, "proj_a");

        Assert.Equal(Path.Combine(_project, "top.png"), ProjectPaths.Resolve(viaLink, "top.png"));
        Refusal.Expect(() => ProjectPaths.Resolve(viaLink, "../proj_b/theirs.png"), 400, ErrorCodes.PathNotAllowed);
    }

    [Theory]
    [InlineData("/p/proj_a", "/p/proj_a/x.png", true)]
    [InlineData("/p/proj_a/", "/p/proj_a/sub/x.png", true)]
    [InlineData("/p/proj_a", "/p/proj_a", false)]
    [InlineData("/p/proj_a", "/p/proj_ab/x.png", false)]
    [InlineData("/p/proj_a", "/p/proj_b/x.png", false)]
    public void IsInside_needs_a_whole_path_segment(string root, string path, bool inside) =>
        Assert.Equal(inside, ProjectPaths.IsInside(root, path));
}
