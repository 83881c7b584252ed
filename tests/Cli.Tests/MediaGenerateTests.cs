using System.Text.Json;
using OpenDesign.Workflows.Contracts;

namespace OpenDesign.Workflows.Cli.Tests;

/// <summary><c>od media generate</c>: the tool endpoint only, exactly once, and the exit codes agents branch on.</summary>
public sealed class MediaGenerateTests : IDisposable
{
    private const string Generate = "/api/tools/media/generate";
    private static readonly string[] Args = ["media", "generate", "--surface", "image", "--prompt", "a campaign poster", "--output", "poster.png"];

    private readonly FakeService service = new();

    [Fact]
    public async Task A_bad_token_exits_4_with_the_code_on_stderr_after_exactly_one_request_to_the_tool_endpoint()
    {
        service.ReplyProblem("POST", Generate, 401, ErrorCodes.ToolTokenInvalid, "tool token is not valid");
        // Routes a fallback might try: if od called any of them, the request count below would show it.
        service.Reply("POST", "/api/projects/proj_1/media/generate", 202, "{}");

        var result = await OdProcess.RunAsync([.. Args, "--project", "proj_1"], Samples.Env(service.Url, toolToken: "odtt_bad"));

        Assert.Equal(4, result.ExitCode);
        Assert.Contains("refused (401 TOOL_TOKEN_INVALID): tool token is not valid", result.Stderr);
        var request = Assert.Single(service.Requests);
        Assert.Equal(Generate, request.Path);
        Assert.Equal("POST", request.Method);
        Assert.Equal("Bearer odtt_bad", request.Header("Authorization"));
    }

    [Fact]
    public async Task A_policy_refusal_exits_4_and_prints_the_problem_code_and_detail()
    {
        service.ReplyProblem("POST", Generate, 403, ErrorCodes.MediaExecutionDisabled, "media generation is disabled for this run");

        var result = await OdProcess.RunAsync(Args, Samples.Env(service.Url, Samples.ToolToken));

        Assert.Equal(4, result.ExitCode);
        Assert.Equal("od: refused (403 MEDIA_EXECUTION_DISABLED): media generation is disabled for this run", result.Stderr.Trim());
        Assert.Empty(result.Stdout);
        Assert.Single(service.Requests);
    }

    [Fact]
    public async Task With_json_a_refusal_also_prints_the_problem_on_stdout_for_programs()
    {
        service.ReplyProblem("POST", Generate, 403, ErrorCodes.MediaSurfaceDenied, "surface video is not allowed for this run");

        var result = await OdProcess.RunAsync([.. Args, "--json"], Samples.Env(service.Url, Samples.ToolToken));

        Assert.Equal(4, result.ExitCode);
        var problem = JsonSerializer.Deserialize(result.Stdout, OdJsonContext.Default.Problem)!;
        Assert.Equal(ErrorCodes.MediaSurfaceDenied, problem.Code);
    }

    [Theory]
    [InlineData(ErrorCodes.MediaProviderUnavailable)]
    [InlineData(ErrorCodes.ExternalExecutorUnavailable)]
    public async Task A_5xx_is_media_failed_exit_5(string code)
    {
        service.ReplyProblem("POST", Generate, 503, code, "not available yet");

        var result = await OdProcess.RunAsync(Args, Samples.Env(service.Url, Samples.ToolToken));

        Assert.Equal(5, result.ExitCode);
        Assert.Contains($"media failed (503 {code}): not available yet", result.Stderr);
        Assert.Single(service.Requests);
    }

    [Fact]
    public async Task Request_only_prints_the_request_and_exits_0()
    {
        service.Reply("POST", Generate, 202, Samples.MediaRequest(), OdJsonContext.Default.MediaRequest);

        var result = await OdProcess.RunAsync(Args, Samples.Env(service.Url, Samples.ToolToken));

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("media request mreq_1 requested: image \"poster.png\" (request-only)", result.Stdout.Trim());
    }

    [Fact]
    public async Task Request_only_with_json_prints_the_services_json()
    {
        service.Reply("POST", Generate, 202, Samples.MediaRequest(), OdJsonContext.Default.MediaRequest);

        var result = await OdProcess.RunAsync([.. Args, "--json"], Samples.Env(service.Url, Samples.ToolToken));

        Assert.Equal(0, result.ExitCode);
        var request = JsonSerializer.Deserialize(result.Stdout, OdJsonContext.Default.MediaRequest)!;
        Assert.Equal("mreq_1", request.Id);
        Assert.Equal(MediaRequestStatuses.Requested, request.Status);
        Assert.Equal(MediaExecutionModes.RequestOnly, request.PolicyMode);
    }

    [Fact]
    public async Task The_body_carries_the_flags_as_the_media_request_contract_names_them()
    {
        service.Reply("POST", Generate, 202, Samples.MediaRequest(), OdJsonContext.Default.MediaRequest);

        var result = await OdProcess.RunAsync(
            ["media", "generate", "--surface", "video", "--model", "veo-3", "--prompt", "waves", "--output", "waves.mp4", "--aspect", "16:9",
             "--length", "8", "--language", "en", "--input-ref", "project-file:brief.md", "--input-ref", "media-request:mreq_0", "--image", "ref.png"],
            Samples.Env(service.Url, Samples.ToolToken));

        Assert.Equal(0, result.ExitCode);
        var sent = JsonSerializer.Deserialize(Assert.Single(service.Requests).Body!, OdJsonContext.Default.MediaGenerateRequest)!;
        Assert.Equal(
            new MediaGenerateRequest("video", "waves", "veo-3", "waves.mp4", "16:9", Length: 8, Language: "en") with { InputRefs = sent.InputRefs },
            sent);
        Assert.Equal(
            [new InputRef("project-file", "brief.md"), new InputRef("media-request", "mreq_0"), new InputRef("project-file", "ref.png")],
            sent.InputRefs);
    }

    [Fact]
    public async Task Prompt_file_dash_reads_the_prompt_from_stdin()
    {
        service.Reply("POST", Generate, 202, Samples.MediaRequest(), OdJsonContext.Default.MediaRequest);

        var result = await OdProcess.RunAsync(
            ["media", "generate", "--surface", "image", "--prompt-file", "-"],
            Samples.Env(service.Url, Samples.ToolToken),
            stdin: "a poster\nwith two lines\n");

        Assert.Equal(0, result.ExitCode);
        var sent = JsonSerializer.Deserialize(Assert.Single(service.Requests).Body!, OdJsonContext.Default.MediaGenerateRequest)!;
        Assert.Equal("a poster\nwith two lines", sent.Prompt);
    }

    [Fact]
    public async Task Without_a_tool_token_it_posts_once_to_the_project_route_and_never_to_the_tool_route()
    {
        service.Reply("POST", Generate, 202, Samples.MediaRequest(), OdJsonContext.Default.MediaRequest);
        service.ReplyProblem("POST", "/api/projects/proj_1/media/generate", 404, ErrorCodes.ProjectNotFound, "project not found");

        var result = await OdProcess.RunAsync([.. Args, "--project", "proj_1"], Samples.Env(service.Url, apiToken: Samples.ApiToken));

        Assert.Equal(4, result.ExitCode);
        Assert.Contains("refused (404 PROJECT_NOT_FOUND): project not found", result.Stderr);
        var request = Assert.Single(service.Requests);
        Assert.Equal("/api/projects/proj_1/media/generate", request.Path);
        Assert.Equal("Bearer " + Samples.ApiToken, request.Header("Authorization"));
    }

    [Theory]
    [InlineData("--bogus")]
    [InlineData("--aspect")]
    [InlineData("--length", "eight")]
    [InlineData("--input-ref", "url:http://x")]
    public async Task Bad_or_unknown_flags_exit_2_without_any_request(params string[] extra)
    {
        service.Reply("POST", Generate, 202, Samples.MediaRequest(), OdJsonContext.Default.MediaRequest);

        var result = await OdProcess.RunAsync([.. Args, .. extra], Samples.Env(service.Url, Samples.ToolToken));

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("od: ", result.Stderr);
        Assert.Empty(service.Requests);
    }

    [Fact]
    public async Task A_missing_prompt_is_a_usage_error_without_any_request()
    {
        var result = await OdProcess.RunAsync(["media", "generate", "--surface", "image"], Samples.Env(service.Url, Samples.ToolToken));

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("a prompt is required", result.Stderr);
        Assert.Empty(service.Requests);
    }

    [Fact]
    public async Task An_empty_tool_token_still_fails_closed_on_the_tool_endpoint_and_never_uses_the_api_token()
    {
        service.ReplyProblem("POST", Generate, 401, ErrorCodes.ToolTokenMissing, "tool token is required");

        var result = await OdProcess.RunAsync(Args, Samples.Env(service.Url, toolToken: "", apiToken: Samples.ApiToken));

        Assert.Equal(4, result.ExitCode);
        Assert.Contains("TOOL_TOKEN_MISSING", result.Stderr);
        var request = Assert.Single(service.Requests);
        Assert.Equal(Generate, request.Path);
        Assert.Null(request.Header("Authorization"));
    }

    public void Dispose() => service.Dispose();
}
