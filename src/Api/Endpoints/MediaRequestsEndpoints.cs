using System.Text.RegularExpressions;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;
using OpenDesign.Workflows.Api.Http;
using OpenDesign.Workflows.Api.Security;
using OpenDesign.Workflows.Contracts;
using OpenDesign.Workflows.Domain;
using OpenDesign.Workflows.Domain.Files;
using OpenDesign.Workflows.Domain.MediaRequests;
using OpenDesign.Workflows.Domain.Runs;

namespace OpenDesign.Workflows.Api.Endpoints;

internal static partial class MediaRequestsEndpoints
{
    public static void MapMediaRequests(this RouteGroupBuilder api)
    {
        api.MapGet("/runs/{runId}/media-requests", (string runId, string? cursor, int? limit, Caller caller, RunStore runs, MediaRequestStore store, OdOptions options) =>
        {
            var run = runs.Get(runId);
            caller.EnsureRun(run.Id, run.ProjectId);
            var size = limit ?? options.DefaultPageSize;
            if (size < 1 || size > options.MaxPageSize) throw DomainException.BadRequest($"limit must be between 1 and {options.MaxPageSize}");
            return TypedResults.Ok(store.ListByRun(run.Id, cursor, size));
        })
        .AllowToolToken(ToolEndpoints.RunMediaRequests, ToolOperations.MediaRequestsList)
        .WithTags("Media requests");

        var requests = api.MapGroup("/media-requests").WithTags("Media requests");

        requests.MapGet("/{id}", (string id, Caller caller, MediaRequestStore store) => TypedResults.Ok(Visible(store, id, caller)))
            .AllowToolToken(ToolEndpoints.MediaRequest, ToolOperations.MediaRequestsGet);

        requests.MapPost("/{id}/cancel", async (string id, Caller caller, MediaRequestStore store, MediaRequestService service) =>
        {
            Visible(store, id, caller);
            return TypedResults.Ok(await service.CancelAsync(id));
        })
        .AllowToolToken(ToolEndpoints.MediaRequestCancel, ToolOperations.MediaRequestsCancel);

        requests.MapPost("/{id}/fail", async (string id, HttpRequest request, MediaRequestStore store, MediaRequestService service, OdOptions options) =>
        {
            store.Get(id);
            var body = await JsonBody.ReadObjectAsync(request, options.MaxJsonBodyBytes);
            var message = JsonBody.RequiredString(body, "message", 2000);
            var code = JsonBody.OptionalString(body, "code", 64);
            if (code is not null && !ErrorCode().IsMatch(code)) throw DomainException.BadRequest("code must be upper-case letters, digits and underscores");
            return TypedResults.Ok(await service.FailAsync(id, new MediaRequestError(message, code)));
        });

        requests.MapPost("/{id}/fulfill", async (string id, HttpRequest request, MediaRequestStore store, FulfillmentService fulfillment, OdOptions options) =>
        {
            store.Get(id);
            var (result, _) = await FulfillAsync(id, request, fulfillment, options);
            return TypedResults.Ok(result);
        });
    }

    /// <summary>Bytes as multipart/form-data or as the raw body with their content type, or JSON {file} naming a project file.</summary>
    private static async Task<(MediaRequest, bool)> FulfillAsync(string id, HttpRequest request, FulfillmentService fulfillment, OdOptions options)
    {
        var ct = request.HttpContext.RequestAborted;
        var contentType = request.ContentType;
        if (string.IsNullOrWhiteSpace(contentType))
        {
            throw new DomainException(415, ErrorCodes.UnsupportedMediaType,
                "send the bytes with their Content-Type, as multipart/form-data, or JSON {\"file\": \"<project-relative path>\"}");
        }
        var mediaType = MediaTypeHeaderValue.Parse(contentType);
        if (mediaType.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase))
        {
            var body = await JsonBody.ReadObjectAsync(request, options.MaxJsonBodyBytes);
            var file = JsonBody.RequiredString(body, "file", 1024);
            return await fulfillment.FulfillWithProjectFileAsync(id, file, ct);
        }
        if (mediaType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
        {
            var boundary = HeaderUtilities.RemoveQuotes(mediaType.Boundary).Value;
            if (string.IsNullOrEmpty(boundary)) throw DomainException.BadRequest("multipart/form-data needs a boundary");
            var reader = new MultipartReader(boundary, request.Body) { BodyLengthLimit = options.MaxUploadBytes + 1 };
            while (await reader.ReadNextSectionAsync(ct) is { } section)
            {
                if (ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition) && disposition.IsFileDisposition())
                {
                    var name = HeaderUtilities.RemoveQuotes(disposition.FileNameStar.HasValue ? disposition.FileNameStar : disposition.FileName).Value;
                    return await fulfillment.FulfillWithUploadAsync(id, section.Body, section.ContentType, name, ct);
                }
            }
            throw DomainException.BadRequest("the multipart body has no file part");
        }
        var fileName = request.Headers["X-File-Name"].ToString();
        return await fulfillment.FulfillWithUploadAsync(id, request.Body, contentType, fileName.Length > 0 ? fileName : null, ct);
    }

    private static MediaRequest Visible(MediaRequestStore store, string id, Caller caller)
    {
        var request = store.Get(id);
        caller.EnsureRun(request.RunId, request.ProjectId);
        return request;
    }

    [GeneratedRegex("^[A-Z][A-Z0-9_]{0,63}$")]
    private static partial Regex ErrorCode();
}
