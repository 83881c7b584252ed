using Microsoft.AspNetCore.Http.HttpResults;
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

    public static void MapProjects(this IEndpointRouteBuilder app)
    {
        // No route prefix: every template is the full one from ApiRoutes, so it is spelled in one place.
        var projects = app.MapGroup("").WithTags("Projects");

        projects.MapPost(ApiRoutes.Projects.Collection, CreateProject)
            .Describe(nameof(CreateProject), "Create a project (the body and its name are optional)").Refuses(400, 413, 415);
        projects.MapGet(ApiRoutes.Projects.Item, GetProject)
            .Describe(nameof(GetProject), "Get a project").Refuses(404);
        projects.MapMethods(ApiRoutes.Projects.File, ["GET", "HEAD"], GetProjectFile)
            .Describe(nameof(GetProjectFile), "Download a file of the project (range requests allowed)")
            .Produces(StatusCodes.Status200OK, contentType: "application/octet-stream").Refuses(404);
    }

    internal static async Task<Created<Project>> CreateProject(Body<CreateProjectRequest> body, ProjectStore store)
    {
        var project = await store.CreateAsync(body.Value.Name);
        return TypedResults.Created(ApiRoutes.Projects.ItemPath(project.Id), project);
    }

    internal static Ok<Project> GetProject(string id, ProjectStore store) => TypedResults.Ok(store.Get(id));

    internal static FileStreamHttpResult GetProjectFile(string id, string? path, HttpContext context, ProjectStore store)
    {
        var project = store.Get(id);
        var file = ProjectFiles.Open(project.Dir, path ?? "", DomainErrorKind.NotFound, "no such file in the project");
        var contentType = MediaTypes.MimeOf(file.Name)
            ?? (ContentTypes.TryGetContentType(file.Name, out var type) ? type : "application/octet-stream");
        // Project files are written by agents and served on the admin origin: never sniffed, never able to run
        // script or load anything, and only media a browser shows safely is inline; the rest downloads.
        var headers = context.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        headers.ContentSecurityPolicy = "default-src 'none'; sandbox";
        var download = MediaTypes.IsSafeInline(contentType) ? null : file.Name;
        // Served from the handle that was checked, never reopened by name; the result disposes the stream.
        return TypedResults.Stream(file.Stream, contentType, download, File.GetLastWriteTimeUtc(file.Stream.SafeFileHandle), enableRangeProcessing: true);
    }
}
