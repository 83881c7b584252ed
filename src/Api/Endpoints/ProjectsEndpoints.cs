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

        projects.MapPost(ApiRoutes.Projects.Collection, async (HttpRequest request, ProjectStore store, OdOptions options) =>
        {
            var body = await JsonBody.ReadObjectAsync(request, options.MaxJsonBodyBytes, optional: true);
            var project = await store.CreateAsync(JsonBody.OptionalString(body, "name", ProjectStore.MaxNameLength));
            return TypedResults.Created(ApiRoutes.Projects.ItemPath(project.Id), project);
        });

        projects.MapGet(ApiRoutes.Projects.Item, (string id, ProjectStore store) => TypedResults.Ok(store.Get(id)));

        projects.MapMethods(ApiRoutes.Projects.File, ["GET", "HEAD"], (string id, string? path, HttpContext context, ProjectStore store) =>
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
        });
    }
}
