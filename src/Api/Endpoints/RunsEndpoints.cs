using OpenDesign.Workflows.Api.Http;
using OpenDesign.Workflows.Api.Temporal;
using OpenDesign.Workflows.Contracts;
using OpenDesign.Workflows.Domain;
using OpenDesign.Workflows.Domain.MediaRequests;
using OpenDesign.Workflows.Domain.Policy;
using OpenDesign.Workflows.Domain.Runs;

namespace OpenDesign.Workflows.Api.Endpoints;

internal static class RunsEndpoints
{
    private const int MaxMessageLength = 100_000;

    public static void MapRuns(this IEndpointRouteBuilder app)
    {
        var runs = app.MapGroup("").WithTags("Runs");

        runs.MapPost(ApiRoutes.Runs.Collection, async (HttpRequest request, RunService service, IExternalMediaDispatcher dispatcher, OdOptions options) =>
        {
            var body = await JsonBody.ReadObjectAsync(request, options.MaxJsonBodyBytes);
            var projectId = JsonBody.RequiredString(body, "projectId", 64);
            var agentId = JsonBody.OptionalString(body, "agentId", 200);
            var message = JsonBody.OptionalString(body, "message", MaxMessageLength);
            var conversationId = JsonBody.OptionalString(body, "conversationId", 200);
            var policy = MediaPolicyParser.Parse(body.TryGetProperty("mediaExecution", out var p) ? p : null);
            if (policy.Mode == MediaExecutionModes.External && !dispatcher.IsAvailable)
            {
                throw new DomainException(DomainErrorKind.Unavailable, ErrorCodes.TemporalUnavailable,
                    "external media mode needs the workflow engine (Temporal), which is not available; see GET /health/ready");
            }
            var created = await service.CreateAsync(projectId, agentId, message, conversationId, policy);
            return TypedResults.Created(ApiRoutes.Runs.ItemPath(created.RunId), created);
        });

        runs.MapGet(ApiRoutes.Runs.Collection, (string? projectId, string? status, RunStore store, OdOptions options) =>
            TypedResults.Ok(new RunList(store.List(projectId, status, options.MaxPageSize))));

        runs.MapGet(ApiRoutes.Runs.Item, (string id, RunStore store) => TypedResults.Ok(store.Get(id)));

        runs.MapPost(ApiRoutes.Runs.Finish, async (string id, HttpRequest request, RunEnding ending, OdOptions options) =>
        {
            var body = await JsonBody.ReadObjectAsync(request, options.MaxJsonBodyBytes);
            var status = JsonBody.OptionalString(body, "status", 32);
            if (status is not (RunStatuses.Succeeded or RunStatuses.Failed))
            {
                throw DomainException.Invalid("status must be succeeded or failed");
            }
            return TypedResults.Ok(await ending.EndAsync(id, status));
        });

        runs.MapPost(ApiRoutes.Runs.Cancel, async (string id, RunEnding ending) => TypedResults.Ok(await ending.EndAsync(id, RunStatuses.Canceled)));
    }
}
