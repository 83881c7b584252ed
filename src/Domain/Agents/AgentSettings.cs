namespace OpenDesign.Workflows.Domain.Agents;

/// <summary>One configured agent (<c>Agents:&lt;id&gt;</c>): the executable the service starts for a run, and how.</summary>
/// <param name="WorkingDirectory">Where it runs; null means the run's project directory.</param>
/// <param name="Timeout">How long it may run before it is stopped and its run fails; null means no limit.</param>
public sealed record AgentDefinition(
    string Id,
    string Command,
    IReadOnlyList<string> Args,
    IReadOnlyDictionary<string, string> Env,
    string? WorkingDirectory = null,
    TimeSpan? Timeout = null);

/// <summary>The <c>Agents</c> section: the configured agents and the limits of their supervision (docs/configuration.md).</summary>
public sealed class AgentSettings
{
    /// <summary>Keys of the section that are settings, not agent ids.</summary>
    public static readonly IReadOnlySet<string> SettingNames = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        nameof(OdBin), nameof(MaxConcurrent), nameof(KillGrace), nameof(MaxLineLength), nameof(OutputLinesPerSecond), nameof(OutputBurst), nameof(DaemonUrl),
    };

    public IReadOnlyDictionary<string, AgentDefinition> Agents { get; init; } = new Dictionary<string, AgentDefinition>();

    /// <summary>The <c>od</c> handed to agents as <c>OD_BIN</c>.</summary>
    public string OdBin { get; init; } = "od";

    /// <summary>Agent processes that may run at once; further runs wait, <c>queued</c>.</summary>
    public int MaxConcurrent { get; init; } = 4;

    /// <summary>Between SIGTERM and SIGKILL when an agent's process group is stopped.</summary>
    public TimeSpan KillGrace { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Characters of one output line kept in its event; the rest is counted in <c>truncated</c>.</summary>
    public int MaxLineLength { get; init; } = 4096;

    /// <summary>Output lines per second (per run, both streams) stored as events once the burst is spent; beyond it lines are counted and dropped.</summary>
    public double OutputLinesPerSecond { get; init; } = 1000;

    /// <summary>Output lines a run may write at once before the rate applies.</summary>
    public int OutputBurst { get; init; } = 5000;

    /// <summary>The service URL handed to agents as <c>OD_DAEMON_URL</c>; empty means the service's first listen address.</summary>
    public string DaemonUrl { get; init; } = "";

    public IReadOnlyList<string> Ids => [.. Agents.Keys.Order(StringComparer.Ordinal)];
}
