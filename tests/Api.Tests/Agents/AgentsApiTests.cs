using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using OpenDesign.Workflows.Api.Tests.Support;
using OpenDesign.Workflows.Contracts;

namespace OpenDesign.Workflows.Api.Tests.Agents;

/// <summary>Which runs start an agent, what <c>GET /api/agents</c> shows, and the prompt endpoint.</summary>
public sealed class AgentsApiTests : IDisposable
{
    private const string HiddenValue = "value-of-an-agent-env-never-shown";
    private readonly TempDir _dir = new();

    private OdApp App() => new(_dir.Path, settings: new Dictionary<string, string?>
    {
        // A command that never runs here: these tests stop at what the API answers (the Cli.Tests start real agents).
        ["Agents:demo:Command"] = "/bin/sh",
        ["Agents:demo:Args:0"] = "-c",
        ["Agents:demo:Args:1"] = "exit 0",
        ["Agents:demo:Env:DEMO_SETTING"] = HiddenValue,
        ["Agents:zeta:Command"] = "zeta-agent",
        ["Agents:MaxConcurrent"] = "2",
    });

    [Fact]
    public async Task Agents_are_listed_with_their_command_name_and_never_their_environment()
    {
        using var app = App();
        using var api = app.Api();
        var body = await api.Http.GetStringAsync(ApiRoutes.Agents.Collection);
        var list = JsonSerializer.Deserialize(body, OdJsonContext.Default.AgentList)!;
        Assert.Contains(list.Agents, a => a.Id == "demo" && a.Command == "sh" && a.Args.SequenceEqual(["-c", "exit 0"]));
        Assert.Contains(list.Agents, a => a.Id == "zeta" && a.Command == "zeta-agent" && a.Args.Count == 0);
        Assert.DoesNotContain(HiddenValue, body, StringComparison.Ordinal);
        Assert.DoesNotContain("DEMO_SETTING", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Launching_an_agent_that_is_not_configured_is_400_listing_the_configured_ids_and_creates_no_run()
    {
        using var app = App();
        using var api = app.Api();
        var project = await api.CreateProjectAsync();
        using var response = await api.PostJsonAsync(ApiRoutes.Runs.Collection, $$"""{"projectId":"{{project.Id}}","agentId":"nobody","launch":true}""");
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(ErrorCodes.AgentUnknown, problem.GetProperty("code").GetString());
        var configured = problem.GetProperty("details").GetProperty("configured").EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.Contains("demo", configured);
        Assert.Contains("zeta", configured);
        Assert.Equal(configured.Order(StringComparer.Ordinal), configured);
        Assert.Equal(0, app.Count("runs"));
    }

    [Theory]
    [InlineData("\"launch\":1")]
    [InlineData("\"launch\":\"yes\"")]
    public async Task A_launch_that_is_not_a_boolean_is_400(string field)
    {
        using var app = App();
        using var api = app.Api();
        var project = await api.CreateProjectAsync();
        using var response = await api.PostJsonAsync(ApiRoutes.Runs.Collection, $$"""{"projectId":"{{project.Id}}","agentId":"demo",{{field}}}""");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(0, app.Count("runs"));
    }

    [Theory]
    [InlineData("\"agentId\":\"codex\"")]
    [InlineData("\"agentId\":\"codex\",\"launch\":false")]
    [InlineData("\"agentId\":\"demo\",\"launch\":false")]
    [InlineData("\"launch\":null")]
    public async Task A_run_that_names_no_configured_agent_or_says_launch_false_starts_nothing(string fields)
    {
        using var app = App();
        using var api = app.Api();
        var project = await api.CreateProjectAsync();
        using var response = await api.PostJsonAsync(ApiRoutes.Runs.Collection, $$"""{"projectId":"{{project.Id}}",{{fields}}}""");
        var created = await OdClient.ReadAsync(response, HttpStatusCode.Created, OdJsonContext.Default.RunCreated);
        Assert.Null(created.Agent);
        Assert.Equal(ApiRoutes.Runs.PromptPath(created.RunId), created.Prompt);
        var run = JsonSerializer.Deserialize(await api.Http.GetStringAsync(ApiRoutes.Runs.ItemPath(created.RunId)), OdJsonContext.Default.Run)!;
        Assert.Null(run.Agent);
        Assert.Equal(RunStatuses.Running, run.Status);
        Assert.Equal(0, app.Count("events", "run_id = $run", ("$run", created.RunId)));
    }

    [Fact]
    public async Task The_prompt_of_a_run_is_plain_text_composed_from_its_policy_and_message()
    {
        using var app = App();
        using var api = app.Api();
        var project = await api.CreateProjectAsync("Spring");
        using var response = await api.PostJsonAsync(ApiRoutes.Runs.Collection,
            $$$"""{"projectId":"{{{project.Id}}}","agentId":"codex","message":"Draw the spring poster","mediaExecution":{"mode":"disabled"}}""");
        var created = await OdClient.ReadAsync(response, HttpStatusCode.Created, OdJsonContext.Default.RunCreated);

        using var prompt = await api.Http.GetAsync(created.Prompt);
        Assert.Equal(HttpStatusCode.OK, prompt.StatusCode);
        Assert.Equal("text/plain", prompt.Content.Headers.ContentType!.MediaType);
        var text = await prompt.Content.ReadAsStringAsync();
        Assert.StartsWith("## Task\n\nDraw the spring poster\n\n## Project\n\nYou work in the project \"Spring\"", text, StringComparison.Ordinal);
        Assert.Contains("(this run: disabled;", text, StringComparison.Ordinal);
        Assert.DoesNotContain("## Codex image generation", text, StringComparison.Ordinal);
        Assert.DoesNotContain(created.ToolToken, text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_prompt_of_an_unknown_run_is_404()
    {
        using var app = App();
        using var api = app.Api();
        using var response = await api.Http.GetAsync(ApiRoutes.Runs.PromptPath("run_000000000000000000000000"));
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains(ErrorCodes.RunNotFound, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("OPENAI_API_KEY", "anything")]
    [InlineData("OD_TOOL_TOKEN", "odtt_x")]
    [InlineData("INNOCENT", "sk-the-services-openai-key")]
    public void A_configured_Env_that_names_or_carries_a_credential_stops_the_service_at_start_up(string name, string value)
    {
        // The service's own start-up path (Program.cs turns this refusal into one line on stderr and exit 1).
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["OPENAI_API_KEY"] = "sk-the-services-openai-key",
            ["Agents:bad:Command"] = "/bin/true",
            [$"Agents:bad:Env:{name}"] = value,
        }).Build();
        var services = new Microsoft.Extensions.DependencyInjection.ServiceCollection();
        var refused = Assert.Throws<OpenDesign.Workflows.Api.Hosting.StartupRefusedException>(() =>
        {
            OpenDesign.Workflows.Api.Agents.AgentSetup.AddAgents(services, configuration, new Domain.OdOptions { DataDir = _dir.Path });
        });
        var expected = name switch
        {
            "INNOCENT" => "Agents:bad:Env sets INNOCENT to the value of a credential the service holds",
            "OD_TOOL_TOKEN" => "Agents:bad:Env sets OD_TOOL_TOKEN; the service sets every OD_ variable itself",
            _ => $"Agents:bad:Env names {name}, a credential the service holds",
        };
        Assert.StartsWith(expected, refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("sk-the-services-openai-key", refused.Message, StringComparison.Ordinal);
        Assert.Empty(services);
    }

    public void Dispose() => _dir.Dispose();
}
