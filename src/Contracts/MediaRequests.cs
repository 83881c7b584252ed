namespace OpenDesign.Workflows.Contracts;

/// <summary>
/// The body an agent posts to <c>/api/tools/media/generate</c>: Open Design's media body plus input references.
/// <see cref="Image"/> is Open Design's reference image (a project-relative path); the service turns it into a
/// project-file input reference.
/// </summary>
public sealed record MediaGenerateRequest(
    string Surface,
    string Prompt,
    string? Model = null,
    string? Output = null,
    string? Aspect = null,
    double? Length = null,
    double? Duration = null,
    string? AudioKind = null,
    string? Voice = null,
    string? Language = null,
    IReadOnlyList<InputRef>? InputRefs = null,
    string? Image = null);

public sealed record InputRef(string Kind, string Ref);

public static class InputRefKinds
{
    public const string ProjectFile = "project-file";
    public const string Artifact = "artifact";
    public const string MediaRequest = "media-request";

    public static IReadOnlyList<string> All { get; } = [ProjectFile, Artifact, MediaRequest];
}

public sealed record MediaRequest
{
    public required string Id { get; init; }
    public required string RunId { get; init; }
    public required string ProjectId { get; init; }
    public string? ConversationId { get; init; }
    public required string Surface { get; init; }
    public string? Model { get; init; }
    public required string Prompt { get; init; }
    public string? Output { get; init; }
    /// <summary>The sanitised, project-relative file name the bytes will be stored under.</summary>
    public required string RequestedOutput { get; init; }
    public string? Aspect { get; init; }
    public double? Length { get; init; }
    public double? Duration { get; init; }
    public string? AudioKind { get; init; }
    public string? Voice { get; init; }
    public string? Language { get; init; }
    public IReadOnlyList<InputRef>? InputRefs { get; init; }
    public required string Status { get; init; }
    public required string PolicyMode { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public required DateTimeOffset UpdatedAt { get; init; }
    public DateTimeOffset? FulfilledAt { get; init; }
    public FulfilledFile? FulfilledFile { get; init; }
    public ExternalRef? External { get; init; }
    public MediaRequestError? Error { get; init; }
}

public sealed record FulfilledFile(string Name, string Kind, string Mime, long Size, string Path, string Sha256);

/// <summary>Where an external request stands with its executor and its workflow; never holds credentials.</summary>
public sealed record ExternalRef(
    string? ExecutorId = null,
    string? ExternalRequestId = null,
    string? StatusUrl = null,
    string? ExpectedMime = null,
    string? WorkflowId = null,
    string? LastProgress = null,
    double? Percent = null,
    MediaRequestError? CancelError = null);

public sealed record MediaRequestError(string Message, string? Code = null);

public sealed record MediaRequestList(IReadOnlyList<MediaRequest> Requests, string? NextCursor = null);

public sealed record FailMediaRequestRequest(string Message, string? Code = null);

/// <summary>Fulfil by naming a file already inside the request's project, or (external requests) a URL to download.</summary>
public sealed record FulfillFromFileRequest(string? File = null, string? Url = null);

public static class MediaRequestStatuses
{
    public const string Requested = "requested";
    public const string Submitted = "submitted";
    public const string Running = "running";
    public const string Fulfilled = "fulfilled";
    public const string Failed = "failed";
    public const string Cancelled = "cancelled";

    public static bool IsTerminal(string status) => status is Fulfilled or Failed or Cancelled;
}

/// <summary>The payload of every <c>media_request</c> event, on the run stream and the global feed.</summary>
public sealed record MediaRequestEvent(string Type, string Action, MediaRequest Request)
{
    public const string EventName = "media_request";
}

public static class MediaRequestActions
{
    public const string Created = "created";
    public const string Submitted = "submitted";
    public const string Progress = "progress";
    public const string Fulfilled = "fulfilled";
    public const string Failed = "failed";
    public const string Cancelled = "cancelled";
}
