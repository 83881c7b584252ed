namespace OpenDesign.Workflows.Contracts;

/// <summary>A configured agent as <c>GET /api/agents</c> lists it: never its environment.</summary>
public sealed record AgentInfo(string Id, string Command, IReadOnlyList<string> Args, string? Timeout = null);

public sealed record AgentList(IReadOnlyList<AgentInfo> Agents);

/// <summary>
/// The agent process the service started for a run, as the run's status shows it: <c>queued</c> (waiting for a free
/// slot), <c>running</c> (with its pid), <c>exited</c> (with its exit code, or the signal or reason it ended with).
/// </summary>
public sealed record RunAgent(
    string AgentId,
    string State,
    int? Pid = null,
    int? ExitCode = null,
    string? Reason = null,
    DateTimeOffset? StartedAt = null,
    DateTimeOffset? ExitedAt = null);

public static class AgentStates
{
    public const string Queued = "queued";
    public const string Running = "running";
    public const string Exited = "exited";
}

/// <summary>The <c>start</c> event: which process the service started for the run. No environment values.</summary>
public sealed record AgentStartPayload(string RunId, string AgentId, int Pid, string Command, string Cwd)
{
    public const string EventName = "start";
}

/// <summary>
/// A <c>stdout</c> or <c>stderr</c> event: one line of the agent's output (without its line break), cut at the
/// configured length (<c>truncated</c> then says how many characters were left out).
/// </summary>
public sealed record AgentOutputPayload(string Chunk, int? Truncated = null)
{
    public const string StdoutEvent = "stdout";
    public const string StderrEvent = "stderr";
}

/// <summary>The <c>output_dropped</c> event: lines of one stream the service did not store because the agent wrote faster than its rate limit.</summary>
public sealed record AgentOutputDropped(string Stream, long Lines)
{
    public const string EventName = "output_dropped";
}
