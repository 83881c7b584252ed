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
            .Describe(nameof(GenerateMedia), "Ask for media within the run's policy (the agent's call, with its tool token)")
            .Produces<MediaRequest>(StatusCodes.Status202Accepted)
            .Refuses(400, 401, 403, 404, 409, 413, 415, 503);
    }

    /// <summary>202 with the stored request: the request is recorded; what happens next depends on the run's mode.</summary>
    internal static async Task<ContentHttpResult> GenerateMedia(Body<MediaGenerateRequest> body, HttpContext context, Caller caller, MediaGenerationService service)
    {
        var (created, json) = await service.GenerateWithJsonAsync(caller.Grant!, body.Value);
        // The JSON just stored is the answer: the hot path serialises the request once, not twice.
        context.Response.Headers.Location = ApiRoutes.MediaRequests.ItemPath(created.Id);
        return TypedResults.Text(json, "application/json; charset=utf-8", System.Text.Encoding.UTF8, StatusCodes.Status202Accepted);
    }
}
