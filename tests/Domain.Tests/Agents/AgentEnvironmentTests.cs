using OpenDesign.Workflows.Domain.Agents;

namespace OpenDesign.Workflows.Domain.Tests.Agents;

/// <summary>An agent's environment is built from an allowlist: credentials the service holds never reach it.</summary>
public sealed class AgentEnvironmentTests
{
    private const string OpenAiKey = "sk-service-openai-key";
    private const string ReplicateKey = "r8_service_replicate";
    private const string ApiToken = "service-admin-token";
    private const string ExecutorKey = "executor-secret-value";
    private const string MediaConfigKey = "media-config-provider-key";

    private static readonly Dictionary<string, string?> ServiceEnvironment = new()
    {
        ["PATH"] = "/usr/local/bin:/usr/bin:/bin",
        ["HOME"] = "/home/od",
        ["LANG"] = "C.UTF-8",
        ["LC_ALL"] = "C.UTF-8",
        ["OPENAI_API_KEY"] = OpenAiKey,
        ["REPLICATE_API_TOKEN"] = ReplicateKey,
        ["OD_API_TOKEN"] = ApiToken,
        ["OD_TOOL_TOKEN"] = "odtt_inherited_from_the_service",
        ["EXEC_TOKEN"] = ExecutorKey,
        ["ANTHROPIC_API_KEY"] = "sk-ant-of-the-service",
        ["AWS_SECRET_ACCESS_KEY"] = "aws-secret",
        ["Od__SomeSetting"] = "x",
    };

    private static readonly AgentSecrets Secrets = new(
        new HashSet<string>(AgentSecrets.FixedNames) { "EXEC_TOKEN" },
        new HashSet<string> { OpenAiKey, ReplicateKey, ApiToken, ExecutorKey, MediaConfigKey });

    private static AgentRunValues Run(string? token) => new("/opt/od/od", "http://127.0.0.1:7456", "proj_1", "/data/projects/proj_1", "/data", "run_1", "/data/agents/run_1/prompt.md", token);

    private static AgentDefinition Agent(Dictionary<string, string>? env = null) => new("test-agent", "/bin/sh", [], env ?? []);

    [Fact]
    public void Only_allowlisted_service_variables_and_the_runs_OD_variables_are_passed()
    {
        var env = AgentEnvironment.Build(Agent(new() { ["AGENT_MODEL"] = "small" }), Run("odtt_run_grant"), ServiceEnvironment, Secrets);
        var expected = new Dictionary<string, string>
        {
            ["PATH"] = "/usr/local/bin:/usr/bin:/bin",
            ["HOME"] = "/home/od",
            ["LANG"] = "C.UTF-8",
            ["LC_ALL"] = "C.UTF-8",
            ["AGENT_MODEL"] = "small",
            ["OD_BIN"] = "/opt/od/od",
            ["OD_DAEMON_URL"] = "http://127.0.0.1:7456",
            ["OD_PROJECT_ID"] = "proj_1",
            ["OD_PROJECT_DIR"] = "/data/projects/proj_1",
            ["OD_DATA_DIR"] = "/data",
            ["OD_RUN_ID"] = "run_1",
            ["OD_PROMPT_FILE"] = "/data/agents/run_1/prompt.md",
            ["OD_TOOL_TOKEN"] = "odtt_run_grant",
        };
        Assert.Equal(expected.OrderBy(p => p.Key), env.OrderBy(p => p.Key));
    }

    [Fact]
    public void An_inherited_tool_token_is_dropped_when_the_run_has_no_grant()
    {
        var env = AgentEnvironment.Build(Agent(), Run(token: null), ServiceEnvironment, Secrets);
        Assert.False(env.ContainsKey("OD_TOOL_TOKEN"));
        Assert.DoesNotContain("odtt_inherited_from_the_service", env.Values);
    }

    [Theory]
    [InlineData("OPENAI_API_KEY")]
    [InlineData("REPLICATE_API_TOKEN")]
    [InlineData("OD_API_TOKEN")]
    [InlineData("OD_TOOL_TOKEN")]
    [InlineData("EXEC_TOKEN")]
    [InlineData("OD_DAEMON_URL")]
    public void A_configured_Env_naming_a_credential_or_an_OD_variable_is_refused(string name)
    {
        var agent = Agent(new() { [name] = "anything" });
        var refused = Assert.Throws<AgentEnvironmentRefusedException>(() => AgentEnvironment.Build(agent, Run("odtt_x"), ServiceEnvironment, Secrets));
        Assert.Contains(name, refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("anything", refused.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(OpenAiKey)]
    [InlineData(ExecutorKey)]
    [InlineData(MediaConfigKey)]
    public void A_configured_Env_carrying_a_credentials_value_under_another_name_is_refused_without_echoing_it(string value)
    {
        var agent = Agent(new() { ["INNOCENT_NAME"] = value });
        var refused = Assert.Throws<AgentEnvironmentRefusedException>(() => AgentEnvironment.Build(agent, Run("odtt_x"), ServiceEnvironment, Secrets));
        Assert.DoesNotContain(value, refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void No_secret_value_is_present_whatever_the_service_environment_holds()
    {
        var env = AgentEnvironment.Build(Agent(), Run("odtt_run_grant"), ServiceEnvironment, Secrets);
        foreach (var secret in new[] { OpenAiKey, ReplicateKey, ApiToken, ExecutorKey, "sk-ant-of-the-service", "aws-secret" })
        {
            Assert.DoesNotContain(secret, env.Values);
        }
    }

    [Fact]
    public void An_allowlisted_variable_holding_a_secret_is_left_out()
    {
        var service = new Dictionary<string, string?>(ServiceEnvironment) { ["TERM"] = OpenAiKey };
        var env = AgentEnvironment.Build(Agent(), Run(null), service, Secrets);
        Assert.False(env.ContainsKey("TERM"));
    }
}
