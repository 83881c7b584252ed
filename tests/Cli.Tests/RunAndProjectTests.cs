using System.Text.Json;
using System.Text.Json.Nodes;
using OpenDesign.Workflows.Contracts;

namespace OpenDesign.Workflows.Cli.Tests;

/// <summary><c>od runs ...</c> and <c>od projects ...</c>: what a newcomer types first.</summary>
public sealed class RunAndProjectTests : IDisposable
{
    private readonly FakeService service = new();

    private static RunCreated Created => new("run_1", RunStatuses.Running, "proj_1",
        new MediaExecutionPolicy(MediaExecutionModes.RequestOnly, [MediaSurfaces.Image]), Samples.ToolToken, Samples.Now.AddMinutes(15));

    [Fact]
    public async Task Create_sends_the_policy_flags_and_prints_the_one_time_token()
    {
        service.Reply("POST", "/api/runs", 201, Created, OdJsonContext.Default.RunCreated);

        var result = await OdProcess.RunAsync(
            ["runs", "create", "--project", "proj_1", "--agent", "codex", "--message", "make a poster",
             "--media-mode", "request-only", "--allowed-surface", "image", "--allowed-surface", "video", "--allowed-model", "gpt-image-2"],
            Samples.Env(service.Url));

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.StartsWith("run run_1 created: running", result.Stdout);
        Assert.Contains(Samples.ToolToken, result.Stdout);
        Assert.Contains("2026-05-28 12:15:00Z", result.Stdout);
        Assert.Contains("request-only (surfaces: image; models: any)", result.Stdout);
        var sent = JsonSerializer.Deserialize(Assert.Single(service.Requests).Body!, OdJsonContext.Default.CreateRunRequest)!;
        Assert.Equal("proj_1", sent.ProjectId);
        Assert.Equal("codex", sent.AgentId);
        Assert.Equal("make a poster", sent.Message);
        Assert.Equal(MediaExecutionModes.RequestOnly, sent.MediaExecution!.Mode);
        Assert.Equal(["image", "video"], sent.MediaExecution.AllowedSurfaces!);
        Assert.Equal(["gpt-image-2"], sent.MediaExecution.AllowedModels!);
    }

    [Fact]
    public async Task Create_without_policy_flags_leaves_the_policy_to_the_service()
    {
        service.Reply("POST", "/api/runs", 201, Created, OdJsonContext.Default.RunCreated);

        var result = await OdProcess.RunAsync(["runs", "create", "--project", "proj_1", "--json"], Samples.Env(service.Url));

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(Samples.ToolToken, JsonSerializer.Deserialize(result.Stdout, OdJsonContext.Default.RunCreated)!.ToolToken);
        var sent = JsonNode.Parse(Assert.Single(service.Requests).Body!)!.AsObject();
        Assert.False(sent.ContainsKey("mediaExecution"));
    }

    [Fact]
    public async Task A_media_policy_file_is_sent_as_written_so_the_service_judges_it()
    {
        service.Reply("POST", "/api/runs", 201, Created, OdJsonContext.Default.RunCreated);
        var policy = """{"mode":"external","externalExecutor":{"kind":"http","endpoint":"http://127.0.0.1:9000/submit","auth":{"kind":"bearer-env","env":"EXEC_TOKEN"}},"futureField":true}""";
        var file = Path.GetTempFileName();
        await File.WriteAllTextAsync(file, policy, TestContext.Current.CancellationToken);
        try
        {
            var result = await OdProcess.RunAsync(["runs", "create", "--project", "proj_1", "--media-policy", "@" + file], Samples.Env(service.Url));

            Assert.True(result.ExitCode == 0, result.ToString());
            var sent = JsonNode.Parse(Assert.Single(service.Requests).Body!)!;
            Assert.True(JsonNode.DeepEquals(JsonNode.Parse(policy), sent["mediaExecution"]));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Theory]
    [InlineData("{not json")]
    [InlineData("@/no/such/policy.json")]
    public async Task A_bad_media_policy_is_a_usage_error(string policy)
    {
        var result = await OdProcess.RunAsync(["runs", "create", "--project", "proj_1", "--media-policy", policy], Samples.Env(service.Url));

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--media-policy", result.Stderr);
        Assert.Empty(service.Requests);
    }

    [Fact]
    public async Task A_policy_validation_error_from_the_service_is_exit_4()
    {
        service.ReplyProblem("POST", "/api/runs", 400, ErrorCodes.BadRequest, "mediaExecution.allowedSurfaces contains an unknown surface");

        var result = await OdProcess.RunAsync(["runs", "create", "--project", "proj_1", "--allowed-surface", "hologram"], Samples.Env(service.Url));

        Assert.Equal(4, result.ExitCode);
        Assert.Contains("refused (400 BAD_REQUEST): mediaExecution.allowedSurfaces contains an unknown surface", result.Stderr);
    }

    [Fact]
    public async Task List_passes_its_filters_and_prints_a_table()
    {
        service.Reply("GET", "/api/runs", 200, new RunList([Samples.Run("run_1"), Samples.Run("run_2")]), OdJsonContext.Default.RunList);

        var result = await OdProcess.RunAsync(["runs", "list", "--project", "proj_1", "--status", "active"], Samples.Env(service.Url));

        Assert.True(result.ExitCode == 0, result.ToString());
        var rows = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, rows.Length);
        Assert.Contains("request-only", rows[1]);
        var request = Assert.Single(service.Requests);
        Assert.Equal("proj_1", request.Query("projectId"));
        Assert.Equal("active", request.Query("status"));
    }

    [Fact]
    public async Task Finish_sends_the_status()
    {
        service.Reply("POST", "/api/runs/run_1/finish", 200, Samples.Run(status: RunStatuses.Succeeded), OdJsonContext.Default.Run);

        var result = await OdProcess.RunAsync(["runs", "finish", "run_1", "--status", "succeeded"], Samples.Env(service.Url));

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.StartsWith("run run_1 finished: succeeded", result.Stdout);
        Assert.Equal(new FinishRunRequest("succeeded"),
            JsonSerializer.Deserialize(Assert.Single(service.Requests).Body!, OdJsonContext.Default.FinishRunRequest));
    }

    [Fact]
    public async Task Projects_create_and_get()
    {
        service.Reply("POST", "/api/projects", 201, Samples.Project(), OdJsonContext.Default.Project);
        service.Reply("GET", "/api/projects/proj_1", 200, Samples.Project(), OdJsonContext.Default.Project);

        var created = await OdProcess.RunAsync(["projects", "create", "--name", "Poster"], Samples.Env(service.Url));
        var shown = await OdProcess.RunAsync(["projects", "get", "proj_1", "--json"], Samples.Env(service.Url));

        Assert.True(created.ExitCode == 0, created.ToString());
        Assert.StartsWith("project proj_1 created", created.Stdout);
        Assert.Contains("/data/projects/proj_1", created.Stdout);
        Assert.Equal(new CreateProjectRequest("Poster"),
            JsonSerializer.Deserialize(service.Requests[0].Body!, OdJsonContext.Default.CreateProjectRequest));
        Assert.Equal(Samples.Project(), JsonSerializer.Deserialize(shown.Stdout, OdJsonContext.Default.Project));
    }

    public void Dispose() => service.Dispose();
}
