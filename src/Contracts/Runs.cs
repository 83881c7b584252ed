namespace OpenDesign.Workflows.Contracts;

public sealed record CreateRunRequest(
    string ProjectId,
    string? AgentId = null,
    string? Message = null,
    string? ConversationId = null,
    MediaExecutionPolicy? MediaExecution = null,
    bool? Launch = null);

/// <summary>Answer to run creation: the only time the tool token is shown.</summary>
public sealed record RunCreated(
    string RunId,
    string Status,
    string ProjectId,
    MediaExecutionPolicy MediaExecution,
    string ToolToken,
    DateTimeOffset ToolTokenExpiresAt,
    string? Prompt = null,
    RunAgent? Agent = null);

public sealed record Run(
    string Id,
    string ProjectId,
    string Status,
    MediaExecutionPolicy MediaExecution,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    string? AgentId = null,
    string? Message = null,
    string? ConversationId = null,
    DateTimeOffset? EndedAt = null,
    RunAgent? Agent = null);

public sealed record RunList(IReadOnlyList<Run> Runs);

public sealed record FinishRunRequest(string Status);

/// <summary>Open Design's run states; note the single-l "canceled" of runs, unlike media requests.</summary>
public static class RunStatuses
{
    public const string Running = "running";
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";
    public const string Canceled = "canceled";

    public static bool IsTerminal(string status) => status is Succeeded or Failed or Canceled;
}

/// <summary>The data of a run's terminal <c>end</c> event; a run stream closes after it.</summary>
/// <remarks><c>code</c> and <c>reason</c> are set when the run ended with its agent process: its exit code, or why it was stopped.</remarks>
public sealed record RunEndPayload(string RunId, string Status, int? Code = null, string? Reason = null)
{
    public const string EventName = "end";
}
