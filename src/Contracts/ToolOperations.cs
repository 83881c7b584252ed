namespace OpenDesign.Workflows.Contracts;

/// <summary>What a run-scoped tool token may do. There is deliberately no fulfil operation: an agent must not fulfil its own request.</summary>
public static class ToolOperations
{
    public const string MediaGenerate = "media:generate";
    public const string MediaRequestsList = "media:requests:list";
    public const string MediaRequestsGet = "media:requests:get";
    public const string MediaRequestsCancel = "media:requests:cancel";

    public static IReadOnlyList<string> All { get; } = [MediaGenerate, MediaRequestsList, MediaRequestsGet, MediaRequestsCancel];
}

/// <summary>Endpoint keys a grant lists. Parameterised routes use their template, as Open Design's explicit keys do.</summary>
public static class ToolEndpoints
{
    public const string MediaGenerate = "/api/tools/media/generate";
    public const string RunMediaRequests = "/api/runs/:runId/media-requests";
    public const string MediaRequest = "/api/media-requests/:id";
    public const string MediaRequestCancel = "/api/media-requests/:id/cancel";

    public static IReadOnlyList<string> All { get; } = [MediaGenerate, RunMediaRequests, MediaRequest, MediaRequestCancel];
}
