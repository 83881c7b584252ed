using OpenDesign.Workflows.Api.Http;
using OpenDesign.Workflows.Api.Security;
using OpenDesign.Workflows.Contracts;
using OpenDesign.Workflows.Domain;
using OpenDesign.Workflows.Domain.MediaRequests;

namespace OpenDesign.Workflows.Api.Endpoints;

/// <summary>The agent's route to media: the project and the policy come from the run the tool token belongs to.</summary>
internal static class ToolMediaEndpoints
{
    public static void MapToolMedia(this IEndpointRouteBuilder app)
    {
        app.MapPost(ApiRoutes.Tools.MediaGenerate, async (HttpRequest request, Caller caller, MediaGenerationService service, OdOptions options) =>
        {
            var body = await JsonBody.ReadAsync(request, options.MaxJsonBodyBytes);
            return MediaTasksEndpoints.Accepted(request.HttpContext, await service.GenerateAnyAsync(caller.Grant!, body!.Value));
        })
        .RequireToolToken(ToolEndpoints.MediaGenerate, ToolOperations.MediaGenerate)
        .WithTags("Tools");
    }
}
