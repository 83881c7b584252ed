using System.Net;
using System.Text;
using OpenDesign.Workflows.Api.Tests.Support;
using OpenDesign.Workflows.Contracts;

namespace OpenDesign.Workflows.Api.Tests;

/// <summary>Whatever a caller sends, the answer is a 4xx problem with a stable code, and nothing stored changes.</summary>
public sealed class BadInputTests : IDisposable
{
    private readonly TempDir _dir = new();

    [Theory]
    [InlineData("POST", "/api/runs", "{\"projectId\":", 400, ErrorCodes.BadRequest)]
    [InlineData("POST", "/api/runs", "{\"projectId\":42}", 400, ErrorCodes.BadRequest)]
    [InlineData("POST", "/api/runs", "null", 400, ErrorCodes.BadRequest)]
    [InlineData("POST", "/api/projects", "{\"name\":[1]}", 400, ErrorCodes.BadRequest)]
    [InlineData("GET", "/api/runs/run_000000000000000000000000", null, 404, ErrorCodes.RunNotFound)]
    [InlineData("GET", "/api/runs/..%2F..%2Fetc", null, 404, ErrorCodes.RunNotFound)]
    [InlineData("GET", "/api/projects/proj_nope", null, 404, ErrorCodes.ProjectNotFound)]
    [InlineData("GET", "/api/media-requests/mreq_nope", null, 404, ErrorCodes.MediaRequestNotFound)]
    [InlineData("POST", "/api/media-requests/mreq_nope/fulfill", "{\"file\":\"x.png\"}", 404, ErrorCodes.MediaRequestNotFound)]
    [InlineData("POST", "/api/runs/run_nope/cancel", null, 404, ErrorCodes.RunNotFound)]
    [InlineData("GET", "/api/nothing-here", null, 404, ErrorCodes.NotFound)]
    [InlineData("DELETE", "/api/runs", null, 405, ErrorCodes.MethodNotAllowed)]
    public async Task Bad_requests_get_problem_json_with_a_code(string method, string path, string? body, int status, string code)
    {
        using var app = new OdApp(_dir.Path);
        using var api = app.Api();
        await api.CreateRequestOnlyRunAsync();
        var runs = app.Count("runs");
        using var response = await api.SendAsync(new HttpMethod(method), path, json: body);
        await OdClient.ProblemAsync(response, (HttpStatusCode)status, code);
        Assert.Equal(runs, app.Count("runs"));
    }

    [Fact]
    public async Task An_oversized_json_body_is_413()
    {
        using var app = new OdApp(_dir.Path);
        using var api = app.Api();
        var (_, run) = await api.CreateRequestOnlyRunAsync();
        var prompt = new string('x', 2 * 1024 * 1024);
        using var response = await api.GenerateAsync(run.ToolToken, $$"""{"surface":"image","prompt":"{{prompt}}"}""");
        await OdClient.ProblemAsync(response, HttpStatusCode.RequestEntityTooLarge, ErrorCodes.PayloadTooLarge);
        Assert.Equal(0, app.Count("media_requests"));
    }

    [Fact]
    public async Task Project_files_are_path_checked()
    {
        using var app = new OdApp(_dir.Path);
        using var api = app.Api();
        var (project, _) = await api.CreateRequestOnlyRunAsync();
        await File.WriteAllTextAsync(Path.Combine(_dir.Path, "secret.txt"), "secret");
        File.CreateSymbolicLink(Path.Combine(project.Dir, "link.txt"), Path.Combine(_dir.Path, "secret.txt"));

        using (var link = await api.SendAsync(HttpMethod.Get, $"/api/projects/{project.Id}/files/link.txt"))
            await OdClient.ProblemAsync(link, HttpStatusCode.BadRequest, ErrorCodes.PathNotAllowed);
        using (var dots = await api.SendAsync(HttpMethod.Get, $"/api/projects/{project.Id}/files/a/%2E%2E/%2E%2E/secret.txt"))
            Assert.True(dots.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.NotFound, $"got {(int)dots.StatusCode}");
        using var missing = await api.SendAsync(HttpMethod.Get, $"/api/projects/{project.Id}/files/none.png");
        await OdClient.ProblemAsync(missing, HttpStatusCode.NotFound, ErrorCodes.FileNotFound);
    }

    [Theory]
    [InlineData("--XX\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\nContent-Type: image/png\r\n\r\nabc")]
    [InlineData("hello world")]
    public async Task A_broken_multipart_body_is_400_and_stores_nothing(string body)
    {
        using var app = new OdApp(_dir.Path);
        using var api = app.Api();
        var (project, run) = await api.CreateRequestOnlyRunAsync();
        var request = await api.GenerateOkAsync(run.ToolToken);
        using var content = new StringContent(body);
        content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse("multipart/form-data; boundary=XX");
        using var response = await api.Http.PostAsync($"/api/media-requests/{request.Id}/fulfill", content);
        await OdClient.ProblemAsync(response, HttpStatusCode.BadRequest, ErrorCodes.BadRequest);
        Assert.Empty(Directory.EnumerateFileSystemEntries(project.Dir));
        Assert.Equal(MediaRequestStatuses.Requested, (await api.GetRequestAsync(request.Id)).Status);
    }

    [Fact]
    public async Task Non_json_content_is_refused_with_a_clear_message()
    {
        using var app = new OdApp(_dir.Path);
        using var api = app.Api();
        using var content = new StringContent("projectId=abc", Encoding.UTF8, "application/x-www-form-urlencoded");
        using var response = await api.Http.PostAsync("/api/runs", content);
        var problem = await OdClient.ProblemAsync(response, HttpStatusCode.UnsupportedMediaType, ErrorCodes.UnsupportedMediaType);
        Assert.Equal("the body must be JSON: send Content-Type: application/json", problem.Detail);
    }

    [Fact]
    public async Task Json_sent_without_a_json_content_type_is_refused_and_stores_nothing()
    {
        using var app = new OdApp(_dir.Path);
        using var api = app.Api();
        var project = await api.CreateProjectAsync();
        // What a cross-site form can send: text/plain carrying a JSON text.
        using var content = new StringContent($$"""{"projectId":"{{project.Id}}"}""", Encoding.UTF8, "text/plain");
        using var response = await api.Http.PostAsync("/api/runs", content);
        await OdClient.ProblemAsync(response, HttpStatusCode.UnsupportedMediaType, ErrorCodes.UnsupportedMediaType);
        Assert.Equal(0, app.Count("runs"));
        Assert.Equal(0, app.Count("tool_tokens"));
    }

    [Fact]
    public async Task A_body_less_cancel_needs_no_content_type_but_a_form_body_is_refused()
    {
        using var app = new OdApp(_dir.Path);
        using var api = app.Api();
        var (_, run) = await api.CreateRequestOnlyRunAsync();
        using (var form = new StringContent("a=b", Encoding.UTF8, "application/x-www-form-urlencoded"))
        using (var refused = await api.Http.PostAsync($"/api/runs/{run.RunId}/cancel", form))
            await OdClient.ProblemAsync(refused, HttpStatusCode.UnsupportedMediaType, ErrorCodes.UnsupportedMediaType);
        Assert.Equal(1, app.Count("runs", "status = 'running'"));
        using var cancelled = await api.SendAsync(HttpMethod.Post, $"/api/runs/{run.RunId}/cancel");
        Assert.Equal(RunStatuses.Canceled, (await OdClient.ReadAsync(cancelled, HttpStatusCode.OK, OdJsonContext.Default.Run)).Status);
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    public async Task Fulfil_refuses_a_type_that_is_neither_media_multipart_nor_json_before_reading_the_body(string type)
    {
        using var app = new OdApp(_dir.Path);
        using var api = app.Api();
        var (project, run) = await api.CreateRequestOnlyRunAsync();
        var request = await api.GenerateOkAsync(run.ToolToken);
        using var response = await api.FulfillBytesAsync(request.Id, [1, 2, 3], type);
        await OdClient.ProblemAsync(response, HttpStatusCode.UnsupportedMediaType, ErrorCodes.UnsupportedMediaType);
        Assert.Empty(Directory.EnumerateFileSystemEntries(project.Dir));
        var staging = Path.Combine(app.DataDir, "staging");
        Assert.False(Directory.Exists(staging) && Directory.EnumerateFileSystemEntries(staging).Any(), "nothing is staged");
        Assert.Equal(MediaRequestStatuses.Requested, (await api.GetRequestAsync(request.Id)).Status);
    }

    public void Dispose() => _dir.Dispose();
}
