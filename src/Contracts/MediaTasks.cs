namespace OpenDesign.Workflows.Contracts;

/// <summary>Open Design's task statuses. <c>interrupted</c> is kept for compatibility: a restart of this service never sets it, because the task's workflow resumes.</summary>
public static class MediaTaskStatuses
{
    public const string Queued = "queued";
    public const string Running = "running";
    public const string Done = "done";
    public const string Failed = "failed";
    public const string Interrupted = "interrupted";

    public static bool IsTerminal(string status) => status is Done or Failed or Interrupted;
}

/// <summary>
/// One enabled-mode generation, Open Design's task with this service's additions (run, provider, sha256). Times are
/// milliseconds since the Unix epoch, as Open Design sends them.
/// </summary>
public sealed record MediaTask
{
    public required string TaskId { get; init; }
    /// <summary>Null for a task made through the legacy project route without a tool token.</summary>
    public string? RunId { get; init; }
    public required string ProjectId { get; init; }
    public required string Status { get; init; }
    public required string Surface { get; init; }
    public required string Model { get; init; }
    public required string ProviderId { get; init; }
    public required string Prompt { get; init; }
    /// <summary>The sanitised, project-relative file name the bytes are meant to get (the extension follows the bytes).</summary>
    public required string RequestedOutput { get; init; }
    public string? Aspect { get; init; }
    public double? Length { get; init; }
    public double? Duration { get; init; }
    public string? AudioKind { get; init; }
    public string? Voice { get; init; }
    public string? Language { get; init; }
    public IReadOnlyList<string> Progress { get; init; } = [];
    public MediaTaskFile? File { get; init; }
    public MediaTaskError? Error { get; init; }
    public required long StartedAt { get; init; }
    public long? EndedAt { get; init; }
    public required long UpdatedAt { get; init; }
}

/// <summary>Open Design's file meta (<c>task.file</c>) plus the sha256 of the stored bytes.</summary>
public sealed record MediaTaskFile(string Name, long Size, long Mtime, string Kind, string Mime, string Model, string Surface, string ProviderId, string Sha256);

/// <summary>Why a task failed: the provider's message (never a credential), Open Design's numeric status and a stable code.</summary>
public sealed record MediaTaskError(string Message, int? Status = null, string? Code = null);

/// <summary>The 202 answer to an enabled-mode generate.</summary>
public sealed record MediaTaskAccepted(string TaskId, string Status, long StartedAt);

/// <summary>The answer of <c>POST /api/media/tasks/{id}/wait</c>: progress lines after <c>since</c>, and where to continue.</summary>
public sealed record MediaTaskSnapshot(
    string TaskId,
    string Status,
    long StartedAt,
    long? EndedAt,
    IReadOnlyList<string> Progress,
    int NextSince,
    MediaTaskFile? File = null,
    MediaTaskError? Error = null);

/// <summary>The <c>media_task</c> event: every change of a task, on its run's stream and on the global feed.</summary>
public sealed record MediaTaskEvent(string Type, string Action, MediaTask Task)
{
    public const string EventName = "media_task";
}

public static class MediaTaskActions
{
    public const string Created = "created";
    public const string Running = "running";
    public const string Progress = "progress";
    public const string Done = "done";
    public const string Failed = "failed";
}

/// <summary>
/// The body of <c>POST /api/media/tasks/{id}/wait</c> (optional): progress lines already seen, and how long to wait at
/// most. Both are JSON numbers, as Open Design takes them.
/// </summary>
public sealed record MediaTaskWaitRequest(double? Since = null, double? TimeoutMs = null);
