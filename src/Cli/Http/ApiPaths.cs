namespace OpenDesign.Workflows.Cli.Http;

/// <summary>The service routes od calls, in one place; ids are escaped because they come from the command line.</summary>
internal static class ApiPaths
{
    public const string Projects = "/api/projects";
    public const string Runs = "/api/runs";
    public const string MediaGenerate = "/api/tools/media/generate";

    public static string Project(string id) => $"/api/projects/{Escape(id)}";

    public static string Run(string id) => $"/api/runs/{Escape(id)}";

    public static string RunFinish(string id) => $"{Run(id)}/finish";

    public static string RunCancel(string id) => $"{Run(id)}/cancel";

    public static string RunEvents(string id) => $"{Run(id)}/events";

    public static string RunMediaRequests(string runId) => $"{Run(runId)}/media-requests";

    public static string MediaRequest(string id) => $"/api/media-requests/{Escape(id)}";

    public static string MediaRequestAction(string id, string action) => $"{MediaRequest(id)}/{action}";

    /// <summary>Builds <c>?a=1&amp;b=2</c> from the pairs whose value is set.</summary>
    public static string Query(params (string Name, string? Value)[] parameters)
    {
        var parts = parameters.Where(p => p.Value is not null).Select(p => $"{p.Name}={Uri.EscapeDataString(p.Value!)}").ToArray();
        return parts.Length == 0 ? "" : "?" + string.Join('&', parts);
    }

    private static string Escape(string id) => Uri.EscapeDataString(id);
}
