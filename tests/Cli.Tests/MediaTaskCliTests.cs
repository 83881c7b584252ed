using System.Text.Json;
using OpenDesign.Workflows.Contracts;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace OpenDesign.Workflows.Cli.Tests;

/// <summary>
/// Enabled mode in <c>od</c>: <c>media generate</c> follows the task it started, <c>media wait</c> follows any task,
/// both ending with Open Design's final stdout line and exit codes; outside a run, generate takes the project route.
/// </summary>
public sealed class MediaTaskCliTests : IDisposable
{
    private const string Generate = "/api/tools/media/generate";
    private const string TaskId = "mtask_0123456789abcdef01234567";
    private const string Wait = $"/api/media/tasks/{TaskId}/wait";
    private const string Accepted = $$"""{"taskId":"{{TaskId}}","status":"running","startedAt":1764000000000}""";
    private const string FileJson = """{"name":"poster.png","size":11,"mtime":1764000001000,"kind":"image","mime":"image/png","model":"gpt-image-2","surface":"image","providerId":"openai","sha256":"ab12"}""";
    private static readonly string[] Args = ["media", "generate", "--surface", "image", "--prompt", "a poster", "--output", "poster.png"];

    private readonly FakeService service = new();

    [Fact]
    public async Task Generate_in_enabled_mode_follows_the_task_prints_its_progress_and_ends_with_the_file_line_and_exit_0()
    {
        service.Reply("POST", Generate, 202, Accepted);
        WaitAnswers(
            Snapshot("running", ["rendering 40%"], 1),
            Snapshot("done", [], 1, $",\"file\":{FileJson}"));

        var result = await OdProcess.RunAsync(Args, Samples.Env(service.Url, Samples.ToolToken));

        Assert.Equal(0, result.ExitCode);
        Assert.Equal([$"task {TaskId} queued (running)", "rendering 40%"], Lines(result.Stderr));
        Assert.Equal(["# rendering 40%", $$"""{"file":{{FileJson}}}"""], Lines(result.Stdout));
        var waits = service.Requests.Where(r => r.Path == Wait).ToList();
        Assert.Equal(2, waits.Count);
        Assert.All(waits, w => Assert.Equal("Bearer " + Samples.ToolToken, w.Header("Authorization")));
        Assert.Equal(0, JsonDocument.Parse(waits[0].Body!).RootElement.GetProperty("since").GetInt32());
        Assert.Equal(1, JsonDocument.Parse(waits[1].Body!).RootElement.GetProperty("since").GetInt32());
        Assert.All(waits, w => Assert.InRange(JsonDocument.Parse(w.Body!).RootElement.GetProperty("timeoutMs").GetInt32(), 1, 4000));
        Assert.Equal([Generate, Wait, Wait], service.Requests.Select(r => r.Path));
    }

    [Fact]
    public async Task Generate_exits_5_when_the_task_fails_and_prints_the_error_line()
    {
        service.Reply("POST", Generate, 202, Accepted);
        WaitAnswers(Snapshot("failed", [], 0, ""","error":{"message":"prompt flagged","code":"MEDIA_PROVIDER_REJECTED"}"""));

        var result = await OdProcess.RunAsync(Args, Samples.Env(service.Url, Samples.ToolToken));

        Assert.Equal(5, result.ExitCode);
        Assert.Equal($$$"""{"taskId":"{{{TaskId}}}","status":"failed","error":{"message":"prompt flagged","code":"MEDIA_PROVIDER_REJECTED"}}""", Lines(result.Stdout)[^1]);
        Assert.Contains($"media task {TaskId} failed: prompt flagged", result.Stderr);
    }

    [Fact]
    public async Task Wait_exits_2_when_the_task_is_still_running_at_the_end_and_says_how_to_continue()
    {
        WaitAnswers(Snapshot("running", ["queued"], 3));

        var result = await OdProcess.RunAsync(["media", "wait", TaskId, "--since", "2", "--timeout", "0"], Samples.Env(service.Url, apiToken: Samples.ApiToken));

        Assert.Equal(2, result.ExitCode);
        var last = JsonDocument.Parse(Lines(result.Stdout)[^1]).RootElement;
        Assert.Equal((TaskId, "running", 3), (last.GetProperty("taskId").GetString(), last.GetProperty("status").GetString(), last.GetProperty("nextSince").GetInt32()));
        Assert.True(last.TryGetProperty("elapsed", out _));
        Assert.Contains($"continue with: od media wait {TaskId} --since 3", result.Stderr);
        var wait = Assert.Single(service.Requests);
        Assert.Equal("""{"since":2,"timeoutMs":0}""", wait.Body);
        Assert.Equal("Bearer " + Samples.ApiToken, wait.Header("Authorization"));
    }

    [Fact]
    public async Task Wait_exits_0_with_the_file_line_when_the_task_is_done()
    {
        WaitAnswers(Snapshot("done", [], 2, $",\"file\":{FileJson}"));

        var result = await OdProcess.RunAsync(["media", "wait", TaskId], Samples.Env(service.Url));

        Assert.Equal(0, result.ExitCode);
        Assert.Equal($$"""{"file":{{FileJson}}}""", Lines(result.Stdout)[^1]);
    }

    [Fact]
    public async Task Wait_on_an_unknown_task_exits_4()
    {
        service.ReplyProblem("POST", Wait, 404, ErrorCodes.MediaTaskNotFound, "task not found");

        var result = await OdProcess.RunAsync(["media", "wait", TaskId], Samples.Env(service.Url));

        Assert.Equal(4, result.ExitCode);
        Assert.Contains("404 MEDIA_TASK_NOT_FOUND", result.Stderr);
    }

    [Fact]
    public async Task Outside_a_run_generate_posts_once_to_the_project_route_of_OD_PROJECT_ID()
    {
        service.Reply("POST", "/api/projects/proj_7/media/generate", 202, Accepted);
        WaitAnswers(Snapshot("done", [], 0, $",\"file\":{FileJson}"));
        var env = Samples.Env(service.Url);
        env["OD_PROJECT_ID"] = "proj_7";

        var result = await OdProcess.RunAsync(Args, env);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(["/api/projects/proj_7/media/generate", Wait], service.Requests.Select(r => r.Path));
        Assert.Null(service.Requests[0].Header("Authorization"));
    }

    [Fact]
    public async Task Outside_a_run_without_a_project_nothing_is_sent_and_it_is_a_usage_error()
    {
        var result = await OdProcess.RunAsync(Args, Samples.Env(service.Url));

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("needs --project <id> (or OD_PROJECT_ID)", result.Stderr);
        Assert.Empty(service.Requests);
    }

    private void WaitAnswers(params string[] answers)
    {
        var request = Request.Create().WithPath(Wait).UsingPost();
        for (var i = 0; i < answers.Length; i++)
        {
            var step = service.Server.Given(request).InScenario("wait");
            if (i > 0) step = step.WhenStateIs($"s{i}");
            if (i < answers.Length - 1) step = step.WillSetStateTo($"s{i + 1}");
            step.RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody(answers[i]));
        }
    }

    private static string Snapshot(string status, string[] progress, int nextSince, string extra = "") =>
        $$"""{"taskId":"{{TaskId}}","status":"{{status}}","startedAt":1764000000000,"progress":{{JsonSerializer.Serialize(progress, OdJsonContext.Default.IReadOnlyListString)}},"nextSince":{{nextSince}}{{extra}}}""";

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public void Dispose() => service.Dispose();
}
