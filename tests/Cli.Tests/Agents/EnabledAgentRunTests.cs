using System.Security.Cryptography;
using System.Text.Json.Nodes;
using OpenDesign.Workflows.Contracts;
using OpenDesign.Workflows.Temporal.Testing;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace OpenDesign.Workflows.Cli.Tests.Agents;

/// <summary>
/// shell-demo in an enabled run: its <c>od media generate</c> makes a media task, whose workflow (on the in-process
/// Temporal test server) calls WireMock playing OpenAI at the <c>baseUrl</c> of <c>media-config.json</c>; the bytes
/// land in the project and the run succeeds. The service holds an <c>OPENAI_API_KEY</c> and a stored key, and the
/// agent sees neither.
/// </summary>
public sealed class EnabledAgentRunTests
{
    private const string StoredKey = "sk-stored-media-config-key-the-agent-must-not-see";
    private static readonly byte[] Png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 4, 2, 4, 2];

    [Fact]
    public async Task In_enabled_mode_the_agents_task_lands_the_providers_bytes_and_the_agent_never_sees_a_provider_key()
    {
        await using var temporal = await TemporalTestEnvironment.StartAsync();
        using var openAi = WireMockServer.Start();
        openAi.Given(Request.Create().WithPath("/v1/images/generations").UsingPost())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json")
                .WithBody($$$"""{"data":[{"b64_json":"{{{Convert.ToBase64String(Png)}}}"}]}"""));
        var settings = AgentServiceFixture.Settings();
        // The test agent captures its environment, then execs shell-demo, which does the run's work.
        settings["Agents__demo-capture__Command"] = AgentServiceFixture.TestAgent;
        settings["Agents__demo-capture__Env__TEST_AGENT_ACTION"] = "capture-then";
        settings["Agents__demo-capture__Env__TEST_AGENT_THEN"] = AgentServiceFixture.ShellDemo();
        await using var service = await TemporalAgentService.StartAsync(temporal, settings, dataDir => File.WriteAllText(
            Path.Combine(dataDir, "media-config.json"),
            new JsonObject { ["providers"] = new JsonObject { ["openai"] = new JsonObject { ["apiKey"] = StoredKey, ["baseUrl"] = openAi.Url + "/v1" } } }.ToJsonString()));
        using var http = new HttpClient { BaseAddress = new Uri(service.Url) };

        var project = await AgentCalls.CreateProjectAsync(http);
        var created = await AgentCalls.CreateRunAsync(http, project.Id, "demo-capture", """{"mode":"enabled"}""");
        var run = await AgentCalls.WaitEndedAsync(http, created.RunId);

        var events = await AgentCalls.EventsAsync(http, created.RunId);
        var stdout = AgentCalls.Output(events, "stdout").ToList();
        Assert.True(RunStatuses.Succeeded == run.Status, string.Join('\n', stdout.Concat(AgentCalls.Output(events, "stderr"))));
        var path = Path.Combine(project.Dir, "poster.png");
        Assert.Equal(Png, File.ReadAllBytes(path));
        var sha256 = Convert.ToHexStringLower(SHA256.HashData(Png));
        Assert.Equal($"shell-demo: done: poster.png is in the project ({path}), sha256 {sha256}", stdout[^1]);
        Assert.Contains("shell-demo: run " + created.RunId + " in project " + project.Id + ", media mode enabled", stdout);
        Assert.Equal(new RunEndPayload(created.RunId, RunStatuses.Succeeded, 0), AgentCalls.End(events));
        // One provider call, with the key the service's environment gives (it wins over the stored one).
        var call = Assert.Single(openAi.LogEntries, e => e.RequestMessage?.Path == "/v1/images/generations");
        Assert.Equal("Bearer " + AgentServiceFixture.OpenAiKey, call.RequestMessage!.Headers!["Authorization"].Single());

        var env = File.ReadAllText(Path.Combine(project.Dir, "agent-env.txt"));
        Assert.Contains("OD_TOOL_TOKEN=" + created.ToolToken, env, StringComparison.Ordinal);
        Assert.DoesNotContain(AgentServiceFixture.OpenAiKey, env, StringComparison.Ordinal);
        Assert.DoesNotContain(StoredKey, env, StringComparison.Ordinal);
        Assert.DoesNotContain("OPENAI_API_KEY=", env, StringComparison.Ordinal);
    }
}
