using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using OpenDesign.Workflows.Api.Http;
using OpenDesign.Workflows.Api.Security;
using OpenDesign.Workflows.Contracts;
using OpenDesign.Workflows.Domain;
using OpenDesign.Workflows.Domain.MediaRequests;
using OpenDesign.Workflows.Domain.MediaTasks;
using OpenDesign.Workflows.Domain.Projects;

namespace OpenDesign.Workflows.Api.Endpoints;

/// <summary>
/// Enabled-mode media tasks in Open Design's shapes: read one, wait on one, and the legacy project route that starts
/// one. A run's tool token sees its own run's tasks only; admin and loopback callers see every task.
/// </summary>
internal static class MediaTasksEndpoints
{
    private const int MaxWaitMs = 25_000;

    public static void MapMediaTasks(this IEndpointRouteBuilder app)
    {
        var tasks = app.MapGroup("").WithTags("Media tasks");
        tasks.MapGet(ApiRoutes.MediaTasks.Item, GetTask).AllowToolToken(ToolEndpoints.MediaTask, ToolOperations.MediaGenerate);
        tasks.MapPost(ApiRoutes.MediaTasks.Wait, WaitAsync).AllowToolToken(ToolEndpoints.MediaTaskWait, ToolOperations.MediaGenerate);
        tasks.MapPost(ApiRoutes.Projects.MediaGenerate, GenerateForProjectAsync).AllowToolToken(ToolEndpoints.ProjectMediaGenerate, ToolOperations.MediaGenerate);
    }

    internal static Ok<MediaTask> GetTask(string id, Caller caller, MediaTaskStore store) => TypedResults.Ok(Visible(store, id, caller));

    internal static async Task<Ok<MediaTaskSnapshot>> WaitAsync(string id, HttpRequest request, Caller caller, MediaTaskStore store, MediaTaskWaiter waiter, OdOptions options)
    {
        var body = await JsonBody.ReadObjectAsync(request, options.MaxJsonBodyBytes, optional: true);
        Visible(store, id, caller);
        var since = Number(body, "since") is { } s ? (int)Math.Clamp(Math.Floor(s), 0, int.MaxValue) : 0;
        var timeoutMs = Number(body, "timeoutMs") is { } t ? Math.Clamp(t, 0, MaxWaitMs) : MaxWaitMs;
        return TypedResults.Ok(await waiter.WaitAsync(id, since, TimeSpan.FromMilliseconds(timeoutMs), request.HttpContext.RequestAborted));
    }

    /// <summary>
    /// Open Design's legacy route. Without a credential (loopback or the API token) it generates for the project with
    /// the default enabled policy. A tool token is judged, never ignored: it must belong to this project, and its run's
    /// policy applies, so an agent cannot escape its policy through this route.
    /// </summary>
    internal static async Task<IResult> GenerateForProjectAsync(string id, HttpRequest request, Caller caller, ProjectStore projects,
        MediaGenerationService generation, MediaTaskService tasks, OdOptions options)
    {
        if (caller.Grant is { } grant && grant.ProjectId != id)
        {
            throw new DomainException(DomainErrorKind.Forbidden, ErrorCodes.Forbidden, "projectId is derived from the tool token",
                new Dictionary<string, object?> { ["suppliedProjectId"] = id });
        }
        var body = (await JsonBody.ReadAsync(request, options.MaxJsonBodyBytes))!.Value;
        if (caller.Grant is { } runGrant) return Accepted(request.HttpContext, await generation.GenerateAnyAsync(runGrant, body));
        var project = projects.Get(id);
        var task = await tasks.StartAsync(null, project.Id, MediaGenerateParser.Parse(body));
        return Accepted(request.HttpContext, new MediaGenerateOutcome.TaskStarted(task));
    }

    /// <summary>The 202 of a generate, whichever route: Open Design's task answer, or the stored request's JSON.</summary>
    internal static IResult Accepted(HttpContext context, MediaGenerateOutcome outcome)
    {
        switch (outcome)
        {
            case MediaGenerateOutcome.TaskStarted started:
                var task = started.Task;
                return TypedResults.Accepted(ApiRoutes.MediaTasks.ItemPath(task.TaskId), new MediaTaskAccepted(task.TaskId, task.Status, task.StartedAt));
            case MediaGenerateOutcome.RequestStored stored:
                // The JSON just stored is the answer: the hot path serialises the request once, not twice.
                context.Response.Headers.Location = ApiRoutes.MediaRequests.ItemPath(stored.Request.Id);
                return Results.Text(stored.Json, "application/json; charset=utf-8", System.Text.Encoding.UTF8, StatusCodes.Status202Accepted);
            default:
                throw new InvalidOperationException("unknown generate outcome");
        }
    }

    private static MediaTask Visible(MediaTaskStore store, string id, Caller caller)
    {
        var task = store.Get(id);
        if (caller.Grant is { } grant && (task.RunId != grant.RunId || task.ProjectId != grant.ProjectId))
        {
            // Open Design's answer to a task of another project; a token never reaches beyond its own run.
            throw new DomainException(DomainErrorKind.Forbidden, ErrorCodes.Forbidden, "media task belongs to a different run",
                new Dictionary<string, object?> { ["taskId"] = id });
        }
        return task;
    }

    /// <summary>Open Design takes <c>since</c> and <c>timeoutMs</c> only as JSON numbers.</summary>
    private static double? Number(JsonElement body, string name)
    {
        if (!body.TryGetProperty(name, out var el) || el.ValueKind == JsonValueKind.Null) return null;
        if (el.ValueKind != JsonValueKind.Number || !el.TryGetDouble(out var value) || !double.IsFinite(value))
        {
            throw DomainException.Invalid($"{name} must be a number");
        }
        return value;
    }
}
