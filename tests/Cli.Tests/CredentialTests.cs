using OpenDesign.Workflows.Contracts;

namespace OpenDesign.Workflows.Cli.Tests;

/// <summary>Which bearer od sends, and where: the tool token on every request when set, else the API token, else nothing.</summary>
public sealed class CredentialTests : IDisposable
{
    private readonly FakeService service = new();

    public CredentialTests()
    {
        service.Reply("POST", "/api/tools/media/generate", 202, Samples.MediaRequest(), OdJsonContext.Default.MediaRequest);
        service.Reply("POST", "/api/projects", 201, Samples.Project(), OdJsonContext.Default.Project);
        service.Reply("GET", "/api/projects/proj_1", 200, Samples.Project(), OdJsonContext.Default.Project);
        service.Reply("POST", "/api/runs", 201, new RunCreated("run_1", "running", "proj_1", MediaExecutionPolicy.Default, "odtt_new", Samples.Now), OdJsonContext.Default.RunCreated);
        service.Reply("GET", "/api/runs/run_1", 200, Samples.Run(), OdJsonContext.Default.Run);
        service.Reply("GET", "/api/runs", 200, new RunList([Samples.Run()]), OdJsonContext.Default.RunList);
        service.Reply("POST", "/api/runs/run_1/finish", 200, Samples.Run(status: "succeeded"), OdJsonContext.Default.Run);
        service.Reply("POST", "/api/runs/run_1/cancel", 200, Samples.Run(status: "canceled"), OdJsonContext.Default.Run);
        service.Reply("GET", "/api/runs/run_1/media-requests", 200, new MediaRequestList([Samples.MediaRequest()]), OdJsonContext.Default.MediaRequestList);
        service.Reply("GET", "/api/media-requests/mreq_1", 200, Samples.MediaRequest(), OdJsonContext.Default.MediaRequest);
        service.Reply("POST", "/api/media-requests/mreq_1/cancel", 200, Samples.MediaRequest(status: "cancelled"), OdJsonContext.Default.MediaRequest);
        service.Reply("POST", "/api/media-requests/mreq_1/fail", 200, Samples.MediaRequest(status: "failed"), OdJsonContext.Default.MediaRequest);
        service.Reply("POST", "/api/media-requests/mreq_1/fulfill", 200, Samples.MediaRequest(status: "fulfilled"), OdJsonContext.Default.MediaRequest);
        service.Reply("GET", "/api/runs/run_1/events", 200, "id: 1\nevent: end\ndata: {\"runId\":\"run_1\",\"status\":\"succeeded\"}\n\n", "text/event-stream");
    }

    public static TheoryData<string[]> Commands() => new()
    {
        new[] { "media", "generate", "--surface", "image", "--prompt", "p" },
        new[] { "media", "requests", "list", "--run", "run_1" },
        new[] { "media", "requests", "get", "mreq_1" },
        new[] { "media", "requests", "cancel", "mreq_1" },
        new[] { "media", "requests", "fail", "mreq_1", "--message", "no budget" },
        new[] { "media", "requests", "fulfill", "mreq_1", "--file", "UPLOAD" },
        new[] { "runs", "create", "--project", "proj_1" },
        new[] { "runs", "get", "run_1" },
        new[] { "runs", "list" },
        new[] { "runs", "finish", "run_1", "--status", "succeeded" },
        new[] { "runs", "cancel", "run_1" },
        new[] { "runs", "events", "run_1", "--follow" },
        new[] { "projects", "create", "--name", "Poster" },
        new[] { "projects", "get", "proj_1" },
    };

    [Theory]
    [MemberData(nameof(Commands))]
    public async Task With_a_tool_token_every_request_carries_it_and_never_the_api_token(string[] args)
    {
        await RunAsync(args, Samples.Env(service.Url, Samples.ToolToken, Samples.ApiToken));

        Assert.NotEmpty(service.Requests);
        Assert.All(service.Requests, r => Assert.Equal($"Bearer {Samples.ToolToken}", r.Header("Authorization")));
    }

    [Theory]
    [MemberData(nameof(Commands))]
    public async Task Without_a_tool_token_the_api_token_is_sent(string[] args)
    {
        if (args[1] == "generate")
        {
            return; // needs a tool token: covered by MediaGenerateTests
        }

        await RunAsync(args, Samples.Env(service.Url, apiToken: Samples.ApiToken));

        Assert.NotEmpty(service.Requests);
        Assert.All(service.Requests, r => Assert.Equal($"Bearer {Samples.ApiToken}", r.Header("Authorization")));
    }

    [Fact]
    public async Task Without_any_token_no_authorization_header_is_sent()
    {
        await RunAsync(["runs", "get", "run_1"], Samples.Env(service.Url));

        Assert.Null(Assert.Single(service.Requests).Header("Authorization"));
    }

    [Fact]
    public async Task A_tool_token_that_cannot_be_sent_is_a_usage_error_and_nothing_is_sent_instead()
    {
        var result = await OdProcess.RunAsync(["media", "generate", "--surface", "image", "--prompt", "p"],
            Samples.Env(service.Url, toolToken: "odtt_one\nodtt_two", apiToken: Samples.ApiToken));

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("OD_TOOL_TOKEN contains control characters", result.Stderr);
        Assert.Empty(service.Requests);
    }

    [Fact]
    public async Task The_daemon_url_flag_wins_over_the_environment()
    {
        var env = Samples.Env(FakeService.DeadUrl(), Samples.ToolToken);

        var result = await OdProcess.RunAsync(["runs", "get", "run_1", "--daemon-url", service.Url], env);

        Assert.Equal(0, result.ExitCode);
        Assert.Single(service.Requests);
    }

    [Fact]
    public async Task An_invalid_daemon_url_is_a_usage_error()
    {
        var result = await OdProcess.RunAsync(["runs", "get", "run_1", "--daemon-url", "127.0.0.1:7456"], Samples.Env(service.Url));

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--daemon-url must be an absolute http(s) URL", result.Stderr);
    }

    private static async Task RunAsync(string[] args, Dictionary<string, string> env)
    {
        var upload = Path.GetTempFileName();
        try
        {
            await File.WriteAllBytesAsync(upload, [1, 2, 3], TestContext.Current.CancellationToken);
            var result = await OdProcess.RunAsync(args.Select(a => a == "UPLOAD" ? upload : a), env);
            Assert.True(result.ExitCode == 0, result.ToString());
        }
        finally
        {
            File.Delete(upload);
        }
    }

    public void Dispose() => service.Dispose();
}
