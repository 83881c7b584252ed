using System.Net;
using OpenDesign.Workflows.Api.Tests.Support;
using OpenDesign.Workflows.Contracts;

namespace OpenDesign.Workflows.Api.Tests;

public sealed class ToolMediaGenerateTests : IDisposable
{
    private readonly TempDir _dir = new();

    [Fact]
    public async Task Disabled_refuses_with_403_and_stores_nothing_at_all()
    {
        using var app = new OdApp(_dir.Path);
        using var api = app.Api();
        var (_, run) = await api.CreateRequestOnlyRunAsync("""{"mode":"disabled"}""");
        var eventsBefore = app.Count("events");

        using var response = await api.GenerateAsync(run.ToolToken);
        var problem = await OdClient.ProblemAsync(response, HttpStatusCode.Forbidden, ErrorCodes.MediaExecutionDisabled);
        Assert.Equal("media generation is disabled for this run", problem.Detail);
        Assert.Equal(0, app.Count("media_requests"));
        Assert.Equal(eventsBefore, app.Count("events"));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(_dir.Path, "projects", run.ProjectId)));
    }

    [Fact]
    public async Task Request_only_stores_one_request_and_one_created_event_and_answers_202()
    {
        using var app = new OdApp(_dir.Path);
        using var api = app.Api();
        var (project, run) = await api.CreateRequestOnlyRunAsync();

        using var response = await api.GenerateAsync(run.ToolToken, """
            {"surface":"image","model":"gpt-image-2","prompt":"A campaign poster","output":"../Launch Poster!.png","aspect":"16:9",
             "inputRefs":[{"kind":"artifact","ref":"hero"}],"projectId":"proj_ignored"}
            """);
        var request = await OdClient.ReadAsync(response, HttpStatusCode.Accepted, OdJsonContext.Default.MediaRequest);
        Assert.Equal($"/api/media-requests/{request.Id}", response.Headers.Location?.OriginalString);
        Assert.Matches("^mreq_[0-9a-f]{24}$", request.Id);
        Assert.Equal(run.RunId, request.RunId);
        Assert.Equal(project.Id, request.ProjectId);
        Assert.Equal(MediaRequestStatuses.Requested, request.Status);
        Assert.Equal(MediaExecutionModes.RequestOnly, request.PolicyMode);
        Assert.Equal("gpt-image-2", request.Model);
        Assert.Equal("16:9", request.Aspect);
        Assert.Equal("_._Launch-Poster_.png", request.RequestedOutput);
        Assert.Equal(new InputRef("artifact", "hero"), Assert.Single(request.InputRefs!));

        Assert.Equal(1, app.Count("media_requests"));
        Assert.Equal(1, app.Count("events", "event = 'media_request' AND run_id = $r", ("$r", run.RunId)));
        var frames = await SseClient.ReadToEndAsync(api.Http, $"/api/runs/{run.RunId}/events?follow=false");
        var created = Assert.Single(frames);
        Assert.Equal("media_request", created.Event);
        Assert.Contains("\"action\":\"created\"", created.Data, StringComparison.Ordinal);
        Assert.Contains(request.Id, created.Data, StringComparison.Ordinal);
        // Request-only never writes bytes.
        Assert.Empty(Directory.EnumerateFileSystemEntries(project.Dir));
    }

    [Theory]
    [InlineData("""{"mode":"request-only","allowedSurfaces":["video"]}""", """{"surface":"image","prompt":"p"}""", ErrorCodes.MediaSurfaceDenied, "media surface \"image\" is not allowed for this run")]
    [InlineData("""{"mode":"request-only","allowedModels":["m1"]}""", """{"surface":"image","prompt":"p","model":"m2"}""", ErrorCodes.MediaModelDenied, "media model \"m2\" is not allowed for this run")]
    [InlineData("""{"mode":"disabled","allowedSurfaces":["video"]}""", """{"surface":"image","prompt":"p"}""", ErrorCodes.MediaExecutionDisabled, "media generation is disabled for this run")]
    public async Task Policy_denials_come_in_open_designs_order_and_store_nothing(string policy, string body, string code, string message)
    {
        using var app = new OdApp(_dir.Path);
        using var api = app.Api();
        var (_, run) = await api.CreateRequestOnlyRunAsync(policy);
        using var response = await api.GenerateAsync(run.ToolToken, body);
        Assert.Equal(message, (await OdClient.ProblemAsync(response, HttpStatusCode.Forbidden, code)).Detail);
        Assert.Equal(0, app.Count("media_requests"));
    }

    [Fact]
    public async Task An_allowed_model_and_surface_pass()
    {
        using var app = new OdApp(_dir.Path);
        using var api = app.Api();
        var (_, run) = await api.CreateRequestOnlyRunAsync("""{"mode":"request-only","allowedSurfaces":["image"],"allowedModels":[" m1 "]}""");
        var request = await api.GenerateOkAsync(run.ToolToken, """{"surface":"image","prompt":"p","model":"m1"}""");
        Assert.Equal("m1", request.Model);
    }

    [Fact]
    public async Task Enabled_mode_without_temporal_answers_503_and_stores_nothing()
    {
        using var app = new OdApp(_dir.Path);
        using var api = app.Api();
        var (_, run) = await api.CreateRequestOnlyRunAsync("""{"mode":"enabled"}""");
        using var response = await api.GenerateAsync(run.ToolToken);
        await OdClient.ProblemAsync(response, HttpStatusCode.ServiceUnavailable, ErrorCodes.TemporalUnavailable);
        Assert.Equal(0, app.Count("media_requests"));
        Assert.Equal(0, app.Count("media_tasks"));
    }

    [Theory]
    [InlineData("""{"surface":"image","prompt":"p","model":"no-such-model"}""", "model \"no-such-model\" is not registered for surface image")]
    [InlineData("""{"surface":"video","prompt":"p","model":"gpt-image-2"}""", "model \"gpt-image-2\" is not registered for surface video")]
    public async Task Enabled_mode_refuses_a_model_the_catalog_lacks_for_the_surface_at_once(string body, string detail)
    {
        using var app = new OdApp(_dir.Path);
        using var api = app.Api();
        var (_, run) = await api.CreateRequestOnlyRunAsync("""{"mode":"enabled"}""");
        using var response = await api.GenerateAsync(run.ToolToken, body);
        var problem = await OdClient.ProblemAsync(response, HttpStatusCode.BadRequest, ErrorCodes.MediaModelUnknown);
        Assert.Equal(detail, problem.Detail);
        Assert.Equal(0, app.Count("media_tasks"));
    }

    [Fact]
    public async Task Without_temporal_an_external_run_is_refused_with_503_and_nothing_is_created()
    {
        using var app = new OdApp(_dir.Path);
        using var api = app.Api();
        var project = await api.CreateProjectAsync();
        const string policy = """{"mode":"external","externalExecutor":{"kind":"http","endpoint":"http://127.0.0.1:9/submit"}}""";
        using var response = await api.PostJsonAsync("/api/runs", $$"""{"projectId":"{{project.Id}}","mediaExecution":{{policy}}}""");
        await OdClient.ProblemAsync(response, HttpStatusCode.ServiceUnavailable, ErrorCodes.TemporalUnavailable);
        Assert.Equal(0, app.Count("runs"));
        using var ready = await api.SendAsync(HttpMethod.Get, "/health/ready");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Contains("embedded dev server is turned off", await ready.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{not json", "the request body is not valid JSON")]
    [InlineData("[]", "request body must be a JSON object")]
    [InlineData("""{"surface":"hologram","prompt":"p"}""", "surface must be image, video, or audio")]
    [InlineData("""{"surface":"image"}""", "prompt is required")]
    [InlineData("""{"surface":"image","prompt":42}""", "prompt must be a string of at most 32000 characters")]
    [InlineData("""{"surface":"image","prompt":"p","length":"5"}""", "length must be a non-negative number")]
    [InlineData("""{"surface":"image","prompt":"p","model":""}""", "model must be a non-empty string when provided")]
    [InlineData("""{"surface":"audio","prompt":"p","audioKind":"noise"}""", "audioKind must be music, speech, or sfx")]
    [InlineData("""{"surface":"image","prompt":"p","inputRefs":[{"kind":"url","ref":"x"}]}""", "inputRefs[0].kind must be project-file, artifact, or media-request")]
    public async Task Body_checks_come_before_the_policy_and_name_the_field(string body, string message)
    {
        using var app = new OdApp(_dir.Path);
        using var api = app.Api();
        // A disabled run: a 400 here proves the body is checked first.
        var (_, run) = await api.CreateRequestOnlyRunAsync("""{"mode":"disabled"}""");
        using var response = await api.GenerateAsync(run.ToolToken, body);
        Assert.Equal(message, (await OdClient.ProblemAsync(response, HttpStatusCode.BadRequest, ErrorCodes.BadRequest)).Detail);
    }

    [Fact]
    public async Task Input_refs_must_stay_inside_the_runs_project()
    {
        using var app = new OdApp(_dir.Path);
        using var api = app.Api();
        var (project, run) = await api.CreateRequestOnlyRunAsync();
        var (_, other) = await api.CreateRequestOnlyRunAsync();
        var foreign = await api.GenerateOkAsync(other.ToolToken);
        await File.WriteAllTextAsync(Path.Combine(project.Dir, "ref.png"), "x");

        using (var escape = await api.GenerateAsync(run.ToolToken, """{"surface":"image","prompt":"p","inputRefs":[{"kind":"project-file","ref":"../x.png"}]}"""))
            await OdClient.ProblemAsync(escape, HttpStatusCode.BadRequest, ErrorCodes.PathNotAllowed);
        using (var missing = await api.GenerateAsync(run.ToolToken, """{"surface":"image","prompt":"p","image":"nope.png"}"""))
            await OdClient.ProblemAsync(missing, HttpStatusCode.BadRequest, ErrorCodes.FileNotFound);
        using (var cross = await api.GenerateAsync(run.ToolToken, $$"""{"surface":"image","prompt":"p","inputRefs":[{"kind":"media-request","ref":"{{foreign.Id}}"}]}"""))
            await OdClient.ProblemAsync(cross, HttpStatusCode.BadRequest, ErrorCodes.MediaRequestNotFound);

        var ok = await api.GenerateOkAsync(run.ToolToken, """{"surface":"image","prompt":"p","image":"ref.png"}""");
        Assert.Equal(new InputRef("project-file", "ref.png"), Assert.Single(ok.InputRefs!));
    }

    public void Dispose() => _dir.Dispose();
}
