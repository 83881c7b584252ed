using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using OpenDesign.Workflows.Api.Tests.Support;
using OpenDesign.Workflows.Contracts;

namespace OpenDesign.Workflows.Api.Tests;

/// <summary>
/// GET/HEAD /api/projects/{id}/files/{path}: what is served, with which headers, and every path that must not be. Each
/// refusal is asserted by its exact status, code and detail, which only the handler (not routing) produces.
/// </summary>
public sealed class ProjectFilesTests : IDisposable
{
    private static readonly byte[] Png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3, 4];
    private const string Csp = "default-src 'none'; sandbox";
    private readonly TempDir _dir = new();

    [Fact]
    public async Task A_raster_image_is_served_inline_never_sniffed_and_sandboxed()
    {
        using var app = new OdApp(_dir.Path);
        using var api = app.Api();
        var project = await api.CreateProjectAsync();
        await File.WriteAllBytesAsync(Path.Combine(project.Dir, "poster.png"), Png);

        using var response = await api.Http.GetAsync($"/api/projects/{project.Id}/files/poster.png");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Png, await response.Content.ReadAsByteArrayAsync());
        Assert.Equal("image/png", response.Content.Headers.ContentType!.MediaType);
        AssertLockedDown(response);
        Assert.Null(response.Content.Headers.ContentDisposition);
    }

    [Theory]
    [InlineData("evil.html", "text/html")]
    [InlineData("evil.js", "text/javascript")]
    [InlineData("evil.svg", "image/svg+xml")]
    [InlineData("notes", "application/octet-stream")]
    public async Task Anything_a_browser_could_run_is_an_attachment(string name, string type)
    {
        using var app = new OdApp(_dir.Path);
        using var api = app.Api();
        var project = await api.CreateProjectAsync();
        await File.WriteAllTextAsync(Path.Combine(project.Dir, name), "<script>alert(1)</script>");

        using var response = await api.Http.GetAsync($"/api/projects/{project.Id}/files/{name}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(type, response.Content.Headers.ContentType!.MediaType);
        AssertLockedDown(response);
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition!.DispositionType);
        Assert.Equal(name, response.Content.Headers.ContentDisposition.FileNameStar);
    }

    [Fact]
    public async Task An_agents_page_fulfilled_with_an_unknown_image_type_is_stored_and_served_as_plain_bytes()
    {
        using var app = new OdApp(_dir.Path);
        using var api = app.Api();
        var (project, run) = await api.CreateRequestOnlyRunAsync();
        var request = await api.GenerateOkAsync(run.ToolToken, """{"surface":"image","prompt":"p","output":"evil.html"}""");
        var page = "<html><script>fetch('/api/runs')</script></html>"u8.ToArray();

        using var fulfil = await api.FulfillBytesAsync(request.Id, page, "image/x-evil");
        var fulfilled = await OdClient.ReadAsync(fulfil, HttpStatusCode.OK, OdJsonContext.Default.MediaRequest);
        Assert.Equal(("evil.bin", "image/x-evil"), (fulfilled.FulfilledFile!.Path, fulfilled.FulfilledFile.Mime));
        Assert.Equal(["evil.bin"], Directory.EnumerateFileSystemEntries(project.Dir).Select(Path.GetFileName));

        using var response = await api.Http.GetAsync($"/api/projects/{project.Id}/files/evil.bin");
        Assert.Equal(page, await response.Content.ReadAsByteArrayAsync());
        Assert.Equal("application/octet-stream", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition!.DispositionType);
        AssertLockedDown(response);
    }

    [Fact]
    public async Task A_wildcard_upload_type_is_settled_from_the_requested_output()
    {
        using var app = new OdApp(_dir.Path);
        using var api = app.Api();
        var (_, run) = await api.CreateRequestOnlyRunAsync();
        var request = await api.GenerateOkAsync(run.ToolToken);

        using var fulfil = await api.FulfillBytesAsync(request.Id, Png, "image/*");

        var fulfilled = await OdClient.ReadAsync(fulfil, HttpStatusCode.OK, OdJsonContext.Default.MediaRequest);
        Assert.Equal(("poster.png", "image/png"), (fulfilled.FulfilledFile!.Path, fulfilled.FulfilledFile.Mime));
    }

    [Fact]
    public async Task Head_answers_the_headers_without_the_bytes_and_ranges_come_from_the_opened_file()
    {
        using var app = new OdApp(_dir.Path);
        using var api = app.Api();
        var project = await api.CreateProjectAsync();
        await File.WriteAllBytesAsync(Path.Combine(project.Dir, "poster.png"), Png);
        var url = $"/api/projects/{project.Id}/files/poster.png";

        using var head = await api.SendAsync(HttpMethod.Head, url);
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(Png.Length, head.Content.Headers.ContentLength);
        Assert.Equal("bytes", Assert.Single(head.Headers.AcceptRanges));
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
        AssertLockedDown(head);

        using var range = new HttpRequestMessage(HttpMethod.Get, url);
        range.Headers.Range = new RangeHeaderValue(2, 5);
        using var partial = await api.Http.SendAsync(range);
        Assert.Equal(HttpStatusCode.PartialContent, partial.StatusCode);
        Assert.Equal(Png[2..6], await partial.Content.ReadAsByteArrayAsync());
        Assert.Equal($"bytes 2-5/{Png.Length}", partial.Content.Headers.ContentRange!.ToString());
    }

    private const string Special = "path names a special file (a FIFO, socket or device); only regular files are read";

    /// <summary>Paths refused the same way whether they are the URL of a file or the <c>{file}</c> of a fulfilment.</summary>
    public static TheoryData<string, int, string, string> RefusedPaths => new()
    {
        // Absolute: a plain path join once served /etc/passwd from here.
        { "/etc/passwd", 400, ErrorCodes.PathNotAllowed, "path must be relative to the project" },
        { "..\\..\\app.sqlite", 400, ErrorCodes.PathNotAllowed, "path must not contain '..'" },
        { "renders\\..\\..\\..\\app.sqlite", 400, ErrorCodes.PathNotAllowed, "path must not contain '..'" },
        { "~/poster.png", 400, ErrorCodes.PathNotAllowed, "path must be relative to the project" },
        { new string('a', 300) + ".png", 400, ErrorCodes.PathNotAllowed, "path has a name longer than the file system allows" },
        { "escape.png", 400, ErrorCodes.PathNotAllowed, "path leaves the project through a symbolic link" },
        { "linkdir/secret.png", 400, ErrorCodes.PathNotAllowed, "path leaves the project through a symbolic link" },
        { "loop.png", 400, ErrorCodes.PathNotAllowed, "path cannot be resolved: a symbolic link loops" },
        { "fifo.png", 400, ErrorCodes.NotARegularFile, Special },
        { "renders", 404, ErrorCodes.FileNotFound, "no such file in the project" },
        { "missing.png", 404, ErrorCodes.FileNotFound, "no such file in the project" },
    };

    /// <summary>
    /// URL-only cases. An encoded slash is not a separator (Kestrel leaves %2F encoded), so such a segment names a file
    /// that does not exist; a path over 1024 characters is refused before the file system is asked.
    /// </summary>
    public static TheoryData<string, int, string, string> RefusedUrls => new()
    {
        { "%2Fetc%2Fpasswd", 404, ErrorCodes.FileNotFound, "no such file in the project" },
        { "renders/%2E%2E%2F%2E%2E%2F..%2Fapp.sqlite", 404, ErrorCodes.FileNotFound, "no such file in the project" },
        { string.Join('/', Enumerable.Repeat("abcdefghij", 110)), 400, ErrorCodes.PathNotAllowed, "path must be a non-empty project-relative path" },
    };

    [Theory]
    [MemberData(nameof(RefusedPaths))]
    [MemberData(nameof(RefusedUrls))]
    public async Task Paths_that_reach_the_handler_are_refused_exactly(string path, int status, string code, string detail)
    {
        using var app = RealHttp();
        using var api = app.Api();
        var project = await ProjectWithTrapsAsync(api);

        using var response = await api.Http.GetAsync(Raw(api, $"api/projects/{project.Id}/files/{path.Replace("\\", "%5C", StringComparison.Ordinal)}"));

        var problem = await OdClient.ProblemAsync(response, (HttpStatusCode)status, code);
        Assert.Equal(detail, problem.Detail);
    }

    [Fact]
    public async Task Dot_segments_and_nul_never_reach_the_handler()
    {
        using var app = RealHttp();
        using var api = app.Api();
        var project = await ProjectWithTrapsAsync(api);

        // Kestrel removes dot segments (encoded or not) before routing: this is GET /api/projects/app.sqlite.
        using var dots = await api.Http.GetAsync(Raw(api, $"api/projects/{project.Id}/files/%2e%2e/%2e%2e/app.sqlite"));
        Assert.Equal("project not found", (await OdClient.ProblemAsync(dots, HttpStatusCode.NotFound, ErrorCodes.ProjectNotFound)).Detail);
        // Kestrel refuses a NUL in the path outright.
        using var nul = await api.Http.GetAsync(Raw(api, $"api/projects/{project.Id}/files/a%00b.png"));
        Assert.Equal(HttpStatusCode.BadRequest, nul.StatusCode);
        Assert.Empty(await nul.Content.ReadAsByteArrayAsync());
    }

    /// <summary>Body-only cases: what a URL cannot carry to the handler (Kestrel removes dot segments and refuses NUL).</summary>
    public static TheoryData<string, int, string, string> RefusedFileFields => new()
    {
        { "../../app.sqlite", 400, ErrorCodes.PathNotAllowed, "path must not contain '..'" },
        { "renders/../../x.png", 400, ErrorCodes.PathNotAllowed, "path must not contain '..'" },
        { "a\u0000b.png", 400, ErrorCodes.PathNotAllowed, "path must be a non-empty project-relative path" },
    };

    [Theory]
    [MemberData(nameof(RefusedPaths))]
    [MemberData(nameof(RefusedFileFields))]
    public async Task The_same_paths_are_refused_for_a_file_fulfilment(string path, int status, string code, string detail)
    {
        using var app = new OdApp(_dir.Path);
        using var api = app.Api();
        var project = await ProjectWithTrapsAsync(api);
        var run = await api.CreateRunAsync(project.Id);
        var request = await api.GenerateOkAsync(run.ToolToken);

        using var response = await api.PostJsonAsync($"/api/media-requests/{request.Id}/fulfill", $$"""{"file":"{{JsonEncodedText.Encode(path)}}"}""");

        // A path in a body is a bad field, not a missing resource.
        var problem = await OdClient.ProblemAsync(response, status == 404 ? HttpStatusCode.BadRequest : (HttpStatusCode)status, code);
        Assert.Equal(status == 404 ? "file names no file in the project" : detail, problem.Detail);
        Assert.Equal(MediaRequestStatuses.Requested, (await api.GetRequestAsync(request.Id)).Status);
    }

    [Fact]
    public async Task A_hard_link_is_served_as_the_file_it_is()
    {
        using var app = new OdApp(_dir.Path);
        using var api = app.Api();
        var project = await ProjectWithTrapsAsync(api);

        using var response = await api.Http.GetAsync($"/api/projects/{project.Id}/files/hard.png");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("outside"u8.ToArray(), await response.Content.ReadAsByteArrayAsync());
    }

    [Theory]
    [InlineData("../../../../evil.png")]
    [InlineData("/tmp/evil.png")]
    [InlineData("..\\..\\evil.png")]
    [InlineData("projects/../../evil.png")]
    public async Task A_multipart_file_name_never_becomes_a_path(string fileName)
    {
        using var app = new OdApp(_dir.Path);
        using var api = app.Api();
        var (project, run) = await api.CreateRequestOnlyRunAsync();
        var request = await api.GenerateOkAsync(run.ToolToken);
        var before = DataRootFiles();

        using var form = new MultipartFormDataContent();
        var part = new ByteArrayContent(Png);
        part.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        form.Add(part, "file", fileName);
        using var response = await api.Http.PostAsync($"/api/media-requests/{request.Id}/fulfill", form);

        var fulfilled = await OdClient.ReadAsync(response, HttpStatusCode.OK, OdJsonContext.Default.MediaRequest);
        Assert.Equal("poster.png", fulfilled.FulfilledFile!.Path);
        Assert.Equal(Png, await File.ReadAllBytesAsync(Path.Combine(project.Dir, "poster.png")));
        Assert.Equal([.. before, Path.GetRelativePath(_dir.Path, Path.Combine(project.Dir, "poster.png"))], DataRootFiles());
        Assert.False(File.Exists("/tmp/evil.png"));
    }

    private string[] DataRootFiles() =>
        [.. Directory.EnumerateFiles(_dir.Path, "*", SearchOption.AllDirectories)
            .Select(p => Path.GetRelativePath(_dir.Path, p))
            .Where(p => !p.StartsWith("app.sqlite", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)];

    /// <summary>The service over real HTTP (Kestrel), so a path arrives as a client sends it, not as a test host rebuilds it.</summary>
    private OdApp RealHttp()
    {
        var app = new OdApp(_dir.Path);
        app.UseKestrel(0);
        app.StartServer();
        return app;
    }

    /// <summary>The URL exactly as written: no unescaping or dot-segment removal by the client.</summary>
    private static Uri Raw(OdClient api, string relative) =>
        new(api.Http.BaseAddress + relative, new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true });

    /// <summary>A project with a link out, a linked directory out, a loop, a FIFO, a directory and a hard link to an outside file.</summary>
    private async Task<Project> ProjectWithTrapsAsync(OdClient api)
    {
        var project = await api.CreateProjectAsync();
        var outside = Directory.CreateDirectory(Path.Combine(_dir.Path, "outside")).FullName;
        await File.WriteAllTextAsync(Path.Combine(outside, "secret.png"), "outside");
        File.CreateSymbolicLink(Path.Combine(project.Dir, "escape.png"), Path.Combine(outside, "secret.png"));
        Directory.CreateSymbolicLink(Path.Combine(project.Dir, "linkdir"), outside);
        File.CreateSymbolicLink(Path.Combine(project.Dir, "loop.png"), "loop.png");
        Directory.CreateDirectory(Path.Combine(project.Dir, "renders"));
        await RunAsync("mkfifo", Path.Combine(project.Dir, "fifo.png"));
        await RunAsync("ln", Path.Combine(outside, "secret.png"), Path.Combine(project.Dir, "hard.png"));
        return project;
    }

    private static async Task RunAsync(string tool, params string[] args)
    {
        using var process = Process.Start(tool, args);
        await process.WaitForExitAsync();
        Assert.Equal(0, process.ExitCode);
    }

    private static void AssertLockedDown(HttpResponseMessage response)
    {
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal(Csp, Assert.Single(response.Headers.GetValues("Content-Security-Policy")));
    }

    public void Dispose() => _dir.Dispose();
}
