using System.Net;
using System.Text.Json;
using OpenDesign.Workflows.Api.Tests.Support;
using OpenDesign.Workflows.Contracts;

namespace OpenDesign.Workflows.Api.Tests;

public sealed class RunsTests : IDisposable
{
    private readonly TempDir _dir = new();

    [Fact]
    public async Task An_omitted_policy_is_enabled_and_is_always_echoed()
    {
        using var app = new OdApp(_dir.Path);
        using var api = app.Api();
        var project = await api.CreateProjectAsync();
        using var response = await api.PostJsonAsync("/api/runs", $$"""{"projectId":"{{project.Id}}","agentId":"codex","message":"hi"}""");
        var created = await OdClient.ReadAsync(response, HttpStatusCode.Created, OdJsonContext.Default.RunCreated);
        Assert.Equal(MediaExecutionPolicy.Default, created.MediaExecution);
        Assert.Equal(RunStatuses.Running, created.Status);
        var run = await api.Http.GetStringAsync($"/api/runs/{created.RunId}");
        Assert.Equal("""{"mode":"enabled"}""", JsonDocument.Parse(run).RootElement.GetProperty("mediaExecution").GetRawText());
    }

    [Fact]
    public async Task The_effective_policy_is_normalised()
    {
        using var app = new OdApp(_dir.Path);
        using var api = app.Api();
        var project = await api.CreateProjectAsync();
        var created = await api.CreateRunAsync(project.Id, """
            {"mode":"request-only","allowedSurfaces":["image","image"],"allowedModels":[" a ","a","b"],"surprise":1}
            """);
        var run = JsonSerializer.Deserialize(await api.Http.GetStringAsync($"/api/runs/{created.RunId}"), OdJsonContext.Default.Run)!;
        Assert.Equal(["image"], run.MediaExecution.AllowedSurfaces!);
        Assert.Equal(["a", "b"], run.MediaExecution.AllowedModels!);
    }

    [Theory]
    [InlineData("[]", "mediaExecution must be an object when provided")]
    [InlineData("\"request-only\"", "mediaExecution must be an object when provided")]
    [InlineData("""{"mode":"sometimes"}""", "mediaExecution.mode must be enabled, disabled, request-only, or external")]
    [InlineData("""{"mode":"request-only","allowedSurfaces":["3d"]}""", "mediaExecution.allowedSurfaces may only include image, video, or audio")]
    [InlineData("""{"mode":"request-only","allowedModels":[""]}""", "mediaExecution.allowedModels must contain non-empty strings")]
    [InlineData("""{"mode":"external"}""", "mediaExecution.externalExecutor is required when mode is external")]
    [InlineData("""{"mode":"external","externalExecutor":{"kind":"http","endpoint":"ftp://x/y"}}""", "mediaExecution.externalExecutor.endpoint must be an absolute http or https URL")]
    [InlineData("""{"mode":"external","externalExecutor":{"kind":"http","endpoint":"http://x/y","auth":{"kind":"bearer-env","env":"sk-live-123"}}}""", "mediaExecution.externalExecutor.auth.env must be an environment variable name")]
    public async Task Invalid_policies_are_400_with_the_exact_message_and_create_nothing(string policy, string message)
    {
        using var app = new OdApp(_dir.Path);
        using var api = app.Api();
        var project = await api.CreateProjectAsync();
        using var response = await api.PostJsonAsync("/api/runs", $$"""{"projectId":"{{project.Id}}","mediaExecution":{{policy}}}""");
        Assert.Equal(message, (await OdClient.ProblemAsync(response, HttpStatusCode.BadRequest, ErrorCodes.BadRequest)).Detail);
        Assert.Equal(0, app.Count("runs"));
    }

    [Fact]
    public async Task A_run_needs_an_existing_project()
    {
        using var app = new OdApp(_dir.Path);
        using var api = app.Api();
        using (var missing = await api.PostJsonAsync("/api/runs", "{}"))
            Assert.Equal("projectId is required", (await OdClient.ProblemAsync(missing, HttpStatusCode.BadRequest, ErrorCodes.BadRequest)).Detail);
        using var unknown = await api.PostJsonAsync("/api/runs", """{"projectId":"proj_000000000000000000000000"}""");
        await OdClient.ProblemAsync(unknown, HttpStatusCode.NotFound, ErrorCodes.ProjectNotFound);
    }

    [Fact]
    public async Task Finishing_cancels_unfinished_requests_with_events_and_cannot_happen_twice()
    {
        using var app = new OdApp(_dir.Path);
        using var api = app.Api();
        var (_, run) = await api.CreateRequestOnlyRunAsync();
        var open = await api.GenerateOkAsync(run.ToolToken);
        var done = await api.GenerateOkAsync(run.ToolToken);
        using (var f = await api.FulfillBytesAsync(done.Id, [1], "image/png")) Assert.Equal(HttpStatusCode.OK, f.StatusCode);

        using var finish = await api.PostJsonAsync($"/api/runs/{run.RunId}/finish", """{"status":"succeeded"}""");
        var ended = await OdClient.ReadAsync(finish, HttpStatusCode.OK, OdJsonContext.Default.Run);
        Assert.Equal(RunStatuses.Succeeded, ended.Status);
        Assert.NotNull(ended.EndedAt);
        var cancelled = await api.GetRequestAsync(open.Id);
        Assert.Equal(MediaRequestStatuses.Cancelled, cancelled.Status);
        Assert.Equal("RUN_ENDED", cancelled.Error!.Code);
        Assert.Equal(MediaRequestStatuses.Fulfilled, (await api.GetRequestAsync(done.Id)).Status);

        using var twice = await api.PostJsonAsync($"/api/runs/{run.RunId}/finish", """{"status":"failed"}""");
        await OdClient.ProblemAsync(twice, HttpStatusCode.Conflict, ErrorCodes.RunTerminal);
        using var cancel = await api.SendAsync(HttpMethod.Post, $"/api/runs/{run.RunId}/cancel");
        Assert.Equal(RunStatuses.Succeeded, (await OdClient.ReadAsync(cancel, HttpStatusCode.OK, OdJsonContext.Default.Run)).Status);
        Assert.Equal(1, app.Count("events", "run_id = $r AND event = 'end'", ("$r", run.RunId)));
    }

    [Fact]
    public async Task Finish_needs_a_final_status()
    {
        using var app = new OdApp(_dir.Path);
        using var api = app.Api();
        var (_, run) = await api.CreateRequestOnlyRunAsync();
        using var response = await api.PostJsonAsync($"/api/runs/{run.RunId}/finish", """{"status":"canceled"}""");
        Assert.Equal("status must be succeeded or failed", (await OdClient.ProblemAsync(response, HttpStatusCode.BadRequest, ErrorCodes.BadRequest)).Detail);
    }

    [Fact]
    public async Task Runs_list_by_project_and_status()
    {
        using var app = new OdApp(_dir.Path);
        using var api = app.Api();
        var (project, a) = await api.CreateRequestOnlyRunAsync();
        var b = await api.CreateRunAsync(project.Id);
        await api.CreateRequestOnlyRunAsync();
        using (var end = await api.SendAsync(HttpMethod.Post, $"/api/runs/{b.RunId}/cancel")) Assert.Equal(HttpStatusCode.OK, end.StatusCode);

        async Task<RunList> List(string query) => JsonSerializer.Deserialize(await api.Http.GetStringAsync("/api/runs" + query), OdJsonContext.Default.RunList)!;
        Assert.Equal(2, (await List($"?projectId={project.Id}")).Runs.Count);
        Assert.Equal([a.RunId], (await List($"?projectId={project.Id}&status=active")).Runs.Select(r => r.Id));
        Assert.Equal([b.RunId], (await List($"?projectId={project.Id}&status=canceled")).Runs.Select(r => r.Id));
        Assert.Equal(3, (await List("")).Runs.Count);
    }

    [Fact]
    public async Task Listing_a_runs_requests_pages_with_a_cursor()
    {
        using var app = new OdApp(_dir.Path);
        using var api = app.Api();
        var (_, run) = await api.CreateRequestOnlyRunAsync();
        var ids = new List<string>();
        for (var i = 0; i < 7; i++) ids.Add((await api.GenerateOkAsync(run.ToolToken)).Id);

        var seen = new List<string>();
        string? cursor = null;
        do
        {
            var page = JsonSerializer.Deserialize(
                await api.Http.GetStringAsync($"/api/runs/{run.RunId}/media-requests?limit=3{(cursor is null ? "" : "&cursor=" + cursor)}"),
                OdJsonContext.Default.MediaRequestList)!;
            Assert.True(page.Requests.Count <= 3);
            seen.AddRange(page.Requests.Select(r => r.Id));
            cursor = page.NextCursor;
        }
        while (cursor is not null);
        Assert.Equal(ids, seen);

        using var bad = await api.SendAsync(HttpMethod.Get, $"/api/runs/{run.RunId}/media-requests?limit=0");
        await OdClient.ProblemAsync(bad, HttpStatusCode.BadRequest, ErrorCodes.BadRequest);
    }

    public void Dispose() => _dir.Dispose();
}
