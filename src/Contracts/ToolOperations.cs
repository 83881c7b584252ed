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

/// <summary>
/// Endpoint keys a grant lists: the routes of <see cref="ApiRoutes"/> in Open Design's key form (<c>:id</c> for
/// <c>{id}</c>). They are stored with every issued token, so their spelling must not change.
/// </summary>
public static class ToolEndpoints
{
    public static readonly string MediaGenerate = ApiRoutes.GrantKey(ApiRoutes.Tools.MediaGenerate);
    public static readonly string RunMediaRequests = ApiRoutes.GrantKey(ApiRoutes.Runs.MediaRequests);
    public static readonly string MediaRequest = ApiRoutes.GrantKey(ApiRoutes.MediaRequests.Item);
    public static readonly string MediaRequestCancel = ApiRoutes.GrantKey(ApiRoutes.MediaRequests.Cancel);
    /// <summary>A run's own media tasks, read and waited on with the <see cref="ToolOperations.MediaGenerate"/> operation (as Open Design grants its wait).</summary>
    public static readonly string MediaTask = ApiRoutes.GrantKey(ApiRoutes.MediaTasks.Item);
    public static readonly string MediaTaskWait = ApiRoutes.GrantKey(ApiRoutes.MediaTasks.Wait);
    /// <summary>The legacy project route: a token presented there is judged, and its run's policy applies.</summary>
    public static readonly string ProjectMediaGenerate = ApiRoutes.GrantKey(ApiRoutes.Projects.MediaGenerate);

    public static IReadOnlyList<string> All { get; } = [MediaGenerate, RunMediaRequests, MediaRequest, MediaRequestCancel, MediaTask, MediaTaskWait, ProjectMediaGenerate];
}
