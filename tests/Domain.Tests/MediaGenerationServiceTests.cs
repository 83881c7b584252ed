using OpenDesign.Workflows.Contracts;
using OpenDesign.Workflows.Domain.Storage;
using OpenDesign.Workflows.Domain.Tests.Support;

namespace OpenDesign.Workflows.Domain.Tests;

/// <summary>The in-run media call per mode: a refused call stores nothing; request-only stores one request and one event.</summary>
public sealed class MediaGenerationServiceTests : IAsyncLifetime
{
    private const string Body = """{"surface":"image","prompt":"a poster","model":"flux","output":"final poster.png","aspect":"1:1"}""";

    private readonly DomainHarness _h = new();

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _h.DisposeAsync();

    [Fact]
    public async Task Request_only_stores_one_requested_request_and_one_created_event()
    {
        var (project, run) = await _h.NewRunAsync(new MediaExecutionPolicy(MediaExecutionModes.RequestOnly, ["image"], ["flux"]));
        var grant = await _h.Tokens.ValidateAsync(run.ToolToken, ToolEndpoints.MediaGenerate, ToolOperations.MediaGenerate);

        var request = await _h.Generation.GenerateAsync(grant, Json.Parse(Body));

        Assert.Matches("^mreq_[0-9a-f]{24}$", request.Id);
        Assert.Equal((run.RunId, project.Id, "requested", "request-only"), (request.RunId, request.ProjectId, request.Status, request.PolicyMode));
        Assert.Equal(("image", "flux", "a poster", "final poster.png", "final-poster.png", "1:1"),
            (request.Surface, request.Model, request.Prompt, request.Output, request.RequestedOutput, request.Aspect));
        Assert.Equal(request, _h.Requests.Get(request.Id));
        Assert.Equal(1, _h.Count("media_requests"));
        Assert.Equal(1, _h.Count("events"));
    }

    [Theory]
    [InlineData("disabled", null, null, 403, ErrorCodes.MediaExecutionDisabled)]
    [InlineData("request-only", new[] { "video" }, null, 403, ErrorCodes.MediaSurfaceDenied)]
    [InlineData("request-only", null, new[] { "gpt-image-1" }, 403, ErrorCodes.MediaModelDenied)]
    [InlineData("enabled", null, null, 400, ErrorCodes.MediaModelUnknown)]
    public async Task A_refused_call_stores_nothing(string mode, string[]? surfaces, string[]? models, int status, string code)
    {
        var (_, run) = await _h.NewRunAsync(new MediaExecutionPolicy(mode, surfaces, models));
        var grant = await _h.Tokens.ValidateAsync(run.ToolToken, ToolEndpoints.MediaGenerate, ToolOperations.MediaGenerate);

        await Refusal.ExpectAsync(() => _h.Generation.GenerateAsync(grant, Json.Parse(Body)), status, code);

        Assert.Equal(0, _h.Count("media_requests"));
        Assert.Equal(0, _h.Count("media_tasks"));
        Assert.Equal(0, _h.Count("events"));
    }

    [Fact]
    public async Task Body_checks_come_before_the_policy()
    {
        var (_, run) = await _h.NewRunAsync(new MediaExecutionPolicy(MediaExecutionModes.Disabled));
        var grant = await _h.Tokens.ValidateAsync(run.ToolToken, ToolEndpoints.MediaGenerate, ToolOperations.MediaGenerate);

        await Refusal.ExpectAsync(() => _h.Generation.GenerateAsync(grant, Json.Parse("""{"surface":"3d","prompt":"p"}""")),
            400, ErrorCodes.BadRequest, "surface must be image, video, or audio");
    }

    [Fact]
    public async Task An_ended_run_is_409_and_stores_nothing()
    {
        var (_, run) = await _h.NewRunAsync();
        var grant = await _h.Tokens.ValidateAsync(run.ToolToken, ToolEndpoints.MediaGenerate, ToolOperations.MediaGenerate);
        await _h.RunService.EndAsync(run.RunId, RunStatuses.Succeeded);

        await Refusal.ExpectAsync(() => _h.Generation.GenerateAsync(grant, Json.Parse(Body)), 409, ErrorCodes.RunTerminal, "run already ended as succeeded");
        Assert.Equal(0, _h.Count("media_requests"));
    }

    [Fact]
    public async Task Input_refs_must_point_into_the_runs_own_project()
    {
        var (project, run) = await _h.NewRunAsync();
        var (_, otherRun) = await _h.NewRunAsync();
        var foreign = await _h.NewRequestAsync(otherRun);
        var own = await _h.NewRequestAsync(run);
        await File.WriteAllTextAsync(Path.Combine(_h.ProjectDir(project.Id), "sketch.png"), "x");
        var grant = await _h.Tokens.ValidateAsync(run.ToolToken, ToolEndpoints.MediaGenerate, ToolOperations.MediaGenerate);
        var before = _h.Count("media_requests");

        await Refusal.ExpectAsync(() => Generate("""{"kind":"project-file","ref":"../x.png"}"""), 400, ErrorCodes.PathNotAllowed);
        await Refusal.ExpectAsync(() => Generate("""{"kind":"project-file","ref":"missing.png"}"""), 400, ErrorCodes.FileNotFound,
            "inputRefs[0].ref names no file in the project");
        // A directory is no file, and a FIFO is refused at once (a by-name check would let it through, and an open would wait for a writer).
        Directory.CreateDirectory(Path.Combine(_h.ProjectDir(project.Id), "folder.png"));
        await Refusal.ExpectAsync(() => Generate("""{"kind":"project-file","ref":"folder.png"}"""), 400, ErrorCodes.FileNotFound,
            "inputRefs[0].ref names no file in the project");
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", [Path.Combine(_h.ProjectDir(project.Id), "pipe.png")]))
        {
            await mkfifo.WaitForExitAsync(TestContext.Current.CancellationToken);
        }
        await Refusal.ExpectAsync(() => Generate("""{"kind":"project-file","ref":"pipe.png"}""").WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken),
            400, ErrorCodes.NotARegularFile);
        await Refusal.ExpectAsync(() => Generate($$"""{"kind":"media-request","ref":"{{foreign.Id}}"}"""), 400, ErrorCodes.MediaRequestNotFound,
            "inputRefs[0].ref names no media request of this project");
        Assert.Equal(before, _h.Count("media_requests"));

        var ok = await Generate($$"""{"kind":"project-file","ref":"sketch.png"},{"kind":"media-request","ref":"{{own.Id}}"}""");
        Assert.Equal(2, ok.InputRefs!.Count);

        Task<MediaRequest> Generate(string refs) =>
            _h.Generation.GenerateAsync(grant, Json.Parse("{\"surface\":\"image\",\"prompt\":\"p\",\"inputRefs\":[" + refs + "]}"));
    }
}
