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
    public static void MapMediaTasks(this IEndpointRouteBuilder app)
    {
        var tasks = app.MapGroup("").WithTags("Media tasks");
        tasks.MapGet(ApiRoutes.MediaTasks.Item, GetTask).AllowToolToken(ToolEndpoints.MediaTask, ToolOperations.MediaGenerate)
            .Describe(nameof(GetTask), "Get an enabled-mode media task (a tool token sees its own run's tasks only)").Refuses(403, 404);
        tasks.MapPost(ApiRoutes.MediaTasks.Wait, WaitForTask).AllowToolToken(ToolEndpoints.MediaTaskWait, ToolOperations.MediaGenerate)
            .Describe(nameof(WaitForTask), "Wait up to 25 s for a media task's progress beyond `since` or its end; answers the wait snapshot")
            .Refuses(400, 403, 404, 413, 415);
        tasks.MapPost(ApiRoutes.Projects.MediaGenerate, GenerateForProject).AllowToolToken(ToolEndpoints.ProjectMediaGenerate, ToolOperations.MediaGenerate)
            .Describe(nameof(GenerateForProject), "Open Design's project route: generate in enabled mode for a project (a presented tool token is judged and its run's policy applies)")
            .Produces<MediaTaskAccepted>(StatusCodes.Status202Accepted)
            .Refuses(400, 401, 403, 404, 409, 413, 415, 503);
    }

    internal static Ok<MediaTask> GetTask(string id, Caller caller, MediaTaskStore store) => TypedResults.Ok(Visible(store, id, caller));

    internal static async Task<Ok<MediaTaskSnapshot>> WaitForTask(string id, Body<MediaTaskWaitRequest> body, Caller caller, MediaTaskStore store,
        MediaTaskWaiter waiter, HttpContext context)
    {
        Visible(store, id, caller);
        var wait = body.Value;
        return TypedResults.Ok(await waiter.WaitAsync(id, (int)wait.Since!.Value, TimeSpan.FromMilliseconds(wait.TimeoutMs!.Value), context.RequestAborted));
    }

    /// <summary>
    /// Open Design's legacy route. Without a credential (loopback or the API token) it generates for the project with
    /// the default enabled policy. A tool token is judged, never ignored: it must belong to this project, and its run's
    /// policy applies, so an agent cannot escape its policy through this route.
    /// </summary>
    internal static async Task<IResult> GenerateForProject(string id, Body<MediaGenerateRequest> body, HttpContext context, Caller caller,
        ProjectStore projects, MediaGenerationService generation, MediaTaskService tasks)
    {
        if (caller.Grant is { } grant && grant.ProjectId != id)
        {
            throw new DomainException(DomainErrorKind.Forbidden, ErrorCodes.Forbidden, "projectId is derived from the tool token",
                new Dictionary<string, object?> { ["suppliedProjectId"] = id });
        }
        if (caller.Grant is { } runGrant) return Accepted(context, await generation.GenerateAnyAsync(runGrant, body.Value));
        var project = projects.Get(id);
        var task = await tasks.StartAsync(null, project.Id, body.Value);
        return Accepted(context, new MediaGenerateOutcome.TaskStarted(task));
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
                return new StoredJsonResult(stored.Json, StatusCodes.Status202Accepted);
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
}
