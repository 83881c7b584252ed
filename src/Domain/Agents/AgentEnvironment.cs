namespace OpenDesign.Workflows.Domain.Agents;

/// <summary>What the service knows about the run an agent is started for; the values of its <c>OD_*</c> variables.</summary>
public sealed record AgentRunValues(
    string OdBin, string DaemonUrl, string ProjectId, string ProjectDir, string DataDir, string RunId, string PromptFile, string? ToolToken);

/// <summary>The credentials the service holds that an agent must never receive: by variable name and by value.</summary>
public sealed record AgentSecrets(IReadOnlySet<string> Names, IReadOnlySet<string> Values)
{
    /// <summary>Provider and service credentials, whatever else is configured.</summary>
    public static readonly IReadOnlySet<string> FixedNames = new HashSet<string>(StringComparer.Ordinal)
    {
        "OPENAI_API_KEY", "REPLICATE_API_TOKEN", "OD_API_TOKEN", "OD_TOOL_TOKEN",
    };
}

/// <summary>The configured <c>Env</c> of an agent names or carries a credential the service holds.</summary>
public sealed class AgentEnvironmentRefusedException(string message) : Exception(message);

/// <summary>
/// The environment of an agent process, built from an allowlist: a few variables of the service's own environment
/// that every program needs (<see cref="Inherited"/>), the agent's configured <c>Env</c>, then the run's <c>OD_*</c>
/// variables. Nothing else of the service's environment is passed on, so a provider key the service holds cannot
/// reach the agent by inheritance, and the configured <c>Env</c> is refused when it names or carries one.
/// </summary>
public static class AgentEnvironment
{
    /// <summary>Variables passed through from the service's environment, and the <c>LC_*</c> locale family.</summary>
    public static readonly IReadOnlyList<string> Inherited = ["PATH", "HOME", "LANG", "LANGUAGE", "TZ", "TERM", "TMPDIR", "USER", "LOGNAME", "SHELL", "DOTNET_ROOT"];

    /// <summary>
    /// Why a configured <c>Env</c> may not be used, or null when it may: it names an <c>OD_*</c> variable (the
    /// service sets those), a secret's name, or carries a secret's value.
    /// </summary>
    public static string? Check(string agentId, IReadOnlyDictionary<string, string> env, AgentSecrets secrets)
    {
        foreach (var (name, value) in env)
        {
            if (name.StartsWith("OD_", StringComparison.OrdinalIgnoreCase))
            {
                return $"Agents:{agentId}:Env sets {name}; the service sets every OD_ variable itself";
            }
            if (AgentSecrets.FixedNames.Contains(name) || secrets.Names.Contains(name))
            {
                return $"Agents:{agentId}:Env names {name}, a credential the service holds; it never reaches an agent";
            }
            if (value.Length > 0 && secrets.Values.Contains(value))
            {
                return $"Agents:{agentId}:Env sets {name} to the value of a credential the service holds; it never reaches an agent";
            }
        }
        return null;
    }

    /// <exception cref="AgentEnvironmentRefusedException">The agent's configured <c>Env</c> fails <see cref="Check"/>.</exception>
    public static IReadOnlyDictionary<string, string> Build(
        AgentDefinition agent, AgentRunValues run, IReadOnlyDictionary<string, string?> serviceEnvironment, AgentSecrets secrets)
    {
        if (Check(agent.Id, agent.Env, secrets) is { } refused) throw new AgentEnvironmentRefusedException(refused);

        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in serviceEnvironment)
        {
            if (value is null || !IsInherited(name)) continue;
            // Belt and braces: an allowlisted variable that happens to hold a secret is left out too.
            if (secrets.Values.Contains(value)) continue;
            env[name] = value;
        }
        foreach (var (name, value) in agent.Env) env[name] = value;

        env["OD_BIN"] = run.OdBin;
        env["OD_DAEMON_URL"] = run.DaemonUrl;
        env["OD_PROJECT_ID"] = run.ProjectId;
        env["OD_PROJECT_DIR"] = run.ProjectDir;
        env["OD_DATA_DIR"] = run.DataDir;
        env["OD_RUN_ID"] = run.RunId;
        env["OD_PROMPT_FILE"] = run.PromptFile;
        // Only the run's own grant: whatever OD_TOOL_TOKEN the service itself was started with is never passed on.
        if (run.ToolToken is { Length: > 0 } token) env["OD_TOOL_TOKEN"] = token;
        return env;
    }

    private static bool IsInherited(string name) =>
        Inherited.Contains(name, StringComparer.Ordinal) || name.StartsWith("LC_", StringComparison.Ordinal);
}
