namespace OpenDesign.Workflows.Contracts;

/// <summary>
/// Every route of the service, each template written once: the endpoints map these constants, tool-token grants list
/// them (<see cref="ToolEndpoints"/>), the executor's callback URLs and <c>Location</c> headers are built from them,
/// and the <c>od</c> CLI calls them. The builders escape ids, because the CLI takes them from the command line.
/// Plain strings only: this is shared with the NativeAOT CLI.
/// </summary>
public static class ApiRoutes
{
    public static class Health
    {
        public const string Live = "/health/live";
        public const string Ready = "/health/ready";
    }

    public static class Projects
    {
        public const string Collection = "/api/projects";
        public const string Item = "/api/projects/{id}";
        public const string File = "/api/projects/{id}/files/{**path}";
        /// <summary>Open Design's legacy (UI/out-of-run) generate route: enabled-mode generation for the project.</summary>
        public const string MediaGenerate = "/api/projects/{id}/media/generate";

        public static string ItemPath(string id) => Fill(Item, id);
        public static string MediaGeneratePath(string id) => Fill(MediaGenerate, id);
    }

    public static class Runs
    {
        public const string Collection = "/api/runs";
        public const string Item = "/api/runs/{id}";
        public const string Finish = "/api/runs/{id}/finish";
        public const string Cancel = "/api/runs/{id}/cancel";
        public const string Events = "/api/runs/{id}/events";
        public const string MediaRequests = "/api/runs/{runId}/media-requests";
        public const string Prompt = "/api/runs/{id}/prompt";

        public static string ItemPath(string id) => Fill(Item, id);
        public static string FinishPath(string id) => Fill(Finish, id);
        public static string CancelPath(string id) => Fill(Cancel, id);
        public static string EventsPath(string id) => Fill(Events, id);
        public static string MediaRequestsPath(string runId) => Fill(MediaRequests, runId);
        public static string PromptPath(string id) => Fill(Prompt, id);
    }

    public static class Agents
    {
        public const string Collection = "/api/agents";
    }

    public static class Tools
    {
        public const string MediaGenerate = "/api/tools/media/generate";
    }

    public static class Media
    {
        /// <summary>The model catalog of enabled mode, with each provider's credential status.</summary>
        public const string Models = "/api/media/models";
    }

    public static class MediaRequests
    {
        public const string Item = "/api/media-requests/{id}";
        public const string Cancel = "/api/media-requests/{id}/cancel";
        public const string Fail = "/api/media-requests/{id}/fail";
        public const string Progress = "/api/media-requests/{id}/progress";
        public const string Fulfill = "/api/media-requests/{id}/fulfill";

        public static string ItemPath(string id) => Fill(Item, id);
        public static string CancelPath(string id) => Fill(Cancel, id);
        public static string FailPath(string id) => Fill(Fail, id);
        public static string ProgressPath(string id) => Fill(Progress, id);
        public static string FulfillPath(string id) => Fill(Fulfill, id);
    }

    public static class MediaTasks
    {
        public const string Item = "/api/media/tasks/{id}";
        public const string Wait = "/api/media/tasks/{id}/wait";

        public static string ItemPath(string id) => Fill(Item, id);
        public static string WaitPath(string id) => Fill(Wait, id);
    }

    /// <summary>The feed of every run's events.</summary>
    public const string Events = "/api/events";

    /// <summary>The OpenAPI document (<c>v1</c>) and its browsable reference page.</summary>
    public static class OpenApi
    {
        /// <summary>Only v1: a literal route, so an unknown name is the service's own 404 problem, not the framework's text.</summary>
        public const string Document = "/openapi/v1.json";
        public const string ReferencePrefix = "/scalar";
        public const string ReferenceV1 = "/scalar/v1";

        /// <summary>What Scalar.AspNetCore maps under <see cref="ReferencePrefix"/>: the page and the assets it loads.</summary>
        public static IReadOnlyList<string> ReferenceRoutes { get; } =
            ["/scalar/{documentName?}", "/scalar/scalar.js", "/scalar/scalar.aspnetcore.js", "/scalar/favicon.svg"];
    }

    /// <summary>Every template above: what the service maps, no more and no less.</summary>
    public static IReadOnlyList<string> All { get; } =
    [
        Health.Live, Health.Ready,
        Projects.Collection, Projects.Item, Projects.File, Projects.MediaGenerate,
        Runs.Collection, Runs.Item, Runs.Finish, Runs.Cancel, Runs.Events, Runs.MediaRequests, Runs.Prompt,
        Agents.Collection,
        Tools.MediaGenerate,
        Media.Models,
        MediaRequests.Item, MediaRequests.Cancel, MediaRequests.Fail, MediaRequests.Progress, MediaRequests.Fulfill,
        MediaTasks.Item, MediaTasks.Wait,
        Events,
        OpenApi.Document, .. OpenApi.ReferenceRoutes,
    ];

    /// <summary>
    /// A template as a tool-token grant lists it: parameters written <c>:name</c>, as Open Design's explicit endpoint
    /// keys are (<c>/api/media-requests/{id}</c> is granted as <c>/api/media-requests/:id</c>).
    /// </summary>
    public static string GrantKey(string template)
    {
        var key = new System.Text.StringBuilder(template.Length);
        var i = 0;
        while (i < template.Length)
        {
            var open = template.IndexOf('{', i);
            if (open < 0)
            {
                key.Append(template, i, template.Length - i);
                break;
            }
            var close = template.IndexOf('}', open);
            key.Append(template, i, open - i).Append(':').Append(template, open + 1, close - open - 1);
            i = close + 1;
        }
        return key.ToString();
    }

    /// <summary>The concrete path of a template with one parameter, the value escaped as one path segment.</summary>
    private static string Fill(string template, string value)
    {
        var open = template.IndexOf('{');
        var close = template.IndexOf('}', open);
        return string.Concat(template.AsSpan(0, open), Uri.EscapeDataString(value), template.AsSpan(close + 1));
    }
}
