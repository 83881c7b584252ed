using OpenDesign.Workflows.Contracts;

namespace OpenDesign.Workflows.Cli.Tests;

/// <summary>The documented exit codes for commands other than <c>media generate</c>, and their help text.</summary>
public sealed class ExitCodeTests : IDisposable
{
    private readonly FakeService service = new();

    [Theory]
    [InlineData("media", "generate", "--surface", "image", "--prompt", "p")]
    [InlineData("runs", "get", "run_1")]
    [InlineData("projects", "create")]
    [InlineData("runs", "events", "run_1", "--follow")]
    public async Task A_refused_connection_exits_3(params string[] args)
    {
        var result = await OdProcess.RunAsync(args, Samples.Env(FakeService.DeadUrl(), Samples.ToolToken));

        Assert.Equal(3, result.ExitCode);
        Assert.Contains("service unreachable", result.Stderr);
    }

    [Fact]
    public async Task An_unknown_host_exits_3()
    {
        var result = await OdProcess.RunAsync(["runs", "get", "run_1", "--daemon-url", "http://no-such-host.invalid:7456"]);

        Assert.Equal(3, result.ExitCode);
        Assert.Contains("service unreachable", result.Stderr);
    }

    [Fact]
    public async Task A_404_is_refused_exit_4_with_the_code()
    {
        service.ReplyProblem("GET", "/api/runs/run_x", 404, ErrorCodes.RunNotFound, "run not found");

        var result = await OdProcess.RunAsync(["runs", "get", "run_x"], Samples.Env(service.Url));

        Assert.Equal(4, result.ExitCode);
        Assert.Equal("od: refused (404 RUN_NOT_FOUND): run not found", result.Stderr.Trim());
    }

    [Fact]
    public async Task A_5xx_outside_media_generate_is_exit_4()
    {
        service.ReplyProblem("GET", "/api/runs/run_1", 500, "INTERNAL", "boom");

        var result = await OdProcess.RunAsync(["runs", "get", "run_1"], Samples.Env(service.Url));

        Assert.Equal(4, result.ExitCode);
        Assert.Contains("service error (500 INTERNAL): boom", result.Stderr);
    }

    [Fact]
    public async Task A_non_problem_error_body_is_still_reported()
    {
        service.Reply("GET", "/api/runs/run_1", 502, "Bad gateway from proxy", "text/plain");

        var result = await OdProcess.RunAsync(["runs", "get", "run_1"], Samples.Env(service.Url));

        Assert.Equal(4, result.ExitCode);
        Assert.Contains("service error (502): Bad gateway from proxy", result.Stderr);
    }

    [Fact]
    public async Task A_redirect_is_not_followed()
    {
        service.Server.Given(WireMock.RequestBuilders.Request.Create().WithPath("/api/tools/media/generate").UsingPost())
            .RespondWith(WireMock.ResponseBuilders.Response.Create().WithStatusCode(307).WithHeader("Location", "/api/projects/proj_1/media/generate"));

        var result = await OdProcess.RunAsync(["media", "generate", "--surface", "image", "--prompt", "p"], Samples.Env(service.Url, Samples.ToolToken));

        Assert.Equal(4, result.ExitCode);
        Assert.Single(service.Requests);
    }

    [Fact]
    public async Task A_success_answer_that_is_not_the_contract_is_exit_4()
    {
        service.Reply("GET", "/api/runs/run_1", 200, "<html>not json</html>", "text/html");

        var result = await OdProcess.RunAsync(["runs", "get", "run_1"], Samples.Env(service.Url));

        Assert.Equal(4, result.ExitCode);
        Assert.Contains("not a Run", result.Stderr);
    }

    [Theory]
    [InlineData("runs", "frobnicate")]
    [InlineData("runs", "finish", "run_1", "--status", "done")]
    [InlineData("runs", "create")]
    [InlineData("runs", "create", "--project", "p", "--media-mode", "sometimes")]
    [InlineData("media", "requests", "fulfill", "mreq_1")]
    [InlineData("media", "requests", "fulfill", "mreq_1", "--file", "/no/such/file.png")]
    [InlineData("media")]
    public async Task Usage_errors_exit_2_without_any_request(params string[] args)
    {
        var result = await OdProcess.RunAsync(args, Samples.Env(service.Url));

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("od: ", result.Stderr);
        Assert.Empty(service.Requests);
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("media", "generate", "--help")]
    [InlineData("runs", "events", "-h")]
    public async Task Help_documents_the_exit_codes(params string[] args)
    {
        var result = await OdProcess.RunAsync(args);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("Exit codes:", result.Stdout);
        Assert.Contains("3  service unreachable", result.Stdout);
        Assert.Contains("5  media failed", result.Stdout);
        Assert.Contains("OD_TOOL_TOKEN", result.Stdout);
    }

    public void Dispose() => service.Dispose();
}
