using Microsoft.AspNetCore.Http.HttpResults;
using OpenDesign.Workflows.Api.Http;
using OpenDesign.Workflows.Api.Security;
using OpenDesign.Workflows.Contracts;
using OpenDesign.Workflows.Domain.MediaRequests;

namespace OpenDesign.Workflows.Api.Endpoints;

/// <summary>The agent's route to media: the project and the policy come from the run the tool token belongs to.</summary>
internal static class ToolMediaEndpoints
{
    public static void MapToolMedia(this IEndpointRouteBuilder app)
    {
        app.MapPost(ApiRoutes.Tools.MediaGenerate, GenerateMedia)
            .RequireToolToken(ToolEndpoints.MediaGenerate, ToolOperations.MediaGenerate)
            .WithTags("Tools")
            .Describe(nameof(GenerateMedia), "Ask for media within the run's policy (the agent's call, with its tool token): a media task in enabled mode, a stored request otherwise")
            .Produces<MediaRequest>(StatusCodes.Status202Accepted)
            .Produces<MediaTaskAccepted>(StatusCodes.Status202Accepted)
            .Refuses(400, 401, 403, 404, 409, 413, 415, 503);
    }

    /// <summary>202: a media task started (enabled) or the stored request (request-only, external).</summary>
    internal static async Task<IResult> GenerateMedia(Body<MediaGenerateRequest> body, HttpContext context, Caller caller, MediaGenerationService service) =>
        MediaTasksEndpoints.Accepted(context, await service.GenerateAnyAsync(caller.Grant!, body.Value));
}
