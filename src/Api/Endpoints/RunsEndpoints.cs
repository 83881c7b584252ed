using Microsoft.AspNetCore.Http.HttpResults;
using OpenDesign.Workflows.Api.Agents;
using OpenDesign.Workflows.Api.Http;
using OpenDesign.Workflows.Contracts;
using OpenDesign.Workflows.Domain;
using OpenDesign.Workflows.Domain.Runs;

namespace OpenDesign.Workflows.Api.Endpoints;

internal static class RunsEndpoints
{
    public static void MapRuns(this IEndpointRouteBuilder app)
    {
        var runs = app.MapGroup("").WithTags("Runs");

        runs.MapPost(ApiRoutes.Runs.Collection, CreateRun)
            .Describe(nameof(CreateRun), "Create a run with its media policy; the answer holds the run's tool token, shown only here")
            .Refuses(400, 404, 413, 415, 503);
        runs.MapGet(ApiRoutes.Runs.Collection, ListRuns)
            .Describe(nameof(ListRuns), "List runs, newest first, optionally of one project or in one status");
        runs.MapGet(ApiRoutes.Runs.Item, GetRun)
            .Describe(nameof(GetRun), "Get a run").Refuses(404);
        runs.MapPost(ApiRoutes.Runs.Finish, FinishRun)
            .Describe(nameof(FinishRun), "End a run as succeeded or failed; its open media requests are cancelled").Refuses(400, 404, 409, 413, 415);
        runs.MapPost(ApiRoutes.Runs.Cancel, CancelRun)
            .Describe(nameof(CancelRun), "Cancel a run; its open media requests are cancelled").Refuses(404, 409);
    }

    internal static async Task<Created<RunCreated>> CreateRun(Body<CreateRunRequest> body, AgentSupervisor supervisor)
    {
        var request = body.Value;
        var created = await supervisor.CreateRunAsync(request.ProjectId, request.AgentId, request.Launch, request.Message, request.ConversationId, request.MediaExecution!);
        return TypedResults.Created(ApiRoutes.Runs.ItemPath(created.RunId), created);
    }

    internal static Ok<RunList> ListRuns(string? projectId, string? status, RunStore store, OdOptions options) =>
        TypedResults.Ok(new RunList(store.List(projectId, status, options.MaxPageSize)));

    internal static Ok<Run> GetRun(string id, RunStore store) => TypedResults.Ok(store.Get(id));

    internal static async Task<Ok<Run>> FinishRun(string id, Body<FinishRunRequest> body, RunEnding ending) =>
        TypedResults.Ok(await ending.EndAsync(id, body.Value.Status));

    internal static async Task<Ok<Run>> CancelRun(string id, RunEnding ending) =>
        TypedResults.Ok(await ending.EndAsync(id, RunStatuses.Canceled));
}
