using Microsoft.AspNetCore.StaticFiles;
using OpenDesign.Workflows.Api.Http;
using OpenDesign.Workflows.Contracts;
using OpenDesign.Workflows.Domain;
using OpenDesign.Workflows.Domain.Files;
using OpenDesign.Workflows.Domain.Projects;

namespace OpenDesign.Workflows.Api.Endpoints;

internal static class ProjectsEndpoints
{
    private static readonly FileExtensionContentTypeProvider ContentTypes = new();

    public static void MapProjects(this RouteGroupBuilder api)
    {
        var projects = api.MapGroup("/projects").WithTags("Projects");

        projects.MapPost("/", async (HttpRequest request, ProjectStore store, OdOptions options) =>
        {
            var body = await JsonBody.ReadObjectAsync(request, options.MaxJsonBodyBytes, optional: true);
            var project = await store.CreateAsync(JsonBody.OptionalString(body, "name", ProjectStore.MaxNameLength));
            return TypedResults.Created($"/api/projects/{project.Id}", project);
        });

        projects.MapGet("/{id}", (string id, ProjectStore store) => TypedResults.Ok(store.Get(id)));

        projects.MapMethods("/{id}/files/{**path}", ["GET", "HEAD"], (string id, string? path, ProjectStore store) =>
        {
            var project = store.Get(id);
            var full = ProjectPaths.Resolve(project.Dir, path ?? "");
            if (!File.Exists(full)) throw DomainException.NotFound(ErrorCodes.FileNotFound, "no such file in the project");
            var contentType = ContentTypes.TryGetContentType(full, out var type) ? type : "application/octet-stream";
            return TypedResults.PhysicalFile(full, contentType, enableRangeProcessing: true);
        });
    }
}
