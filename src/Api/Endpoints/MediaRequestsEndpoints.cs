using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;
using OpenDesign.Workflows.Api.Http;
using OpenDesign.Workflows.Api.Security;
using OpenDesign.Workflows.Contracts;
using OpenDesign.Workflows.Domain;
using OpenDesign.Workflows.Domain.MediaRequests;
using OpenDesign.Workflows.Domain.Runs;

namespace OpenDesign.Workflows.Api.Endpoints;

internal static class MediaRequestsEndpoints
{
    public static void MapMediaRequests(this IEndpointRouteBuilder app)
    {
        app.MapGet(ApiRoutes.Runs.MediaRequests, ListMediaRequests)
            .AllowToolToken(ToolEndpoints.RunMediaRequests, ToolOperations.MediaRequestsList)
            .WithTags("Media requests")
            .Describe(nameof(ListMediaRequests), "List a run's media requests, oldest first, a page at a time").Refuses(400, 403, 404);

        var requests = app.MapGroup("").WithTags("Media requests");

        requests.MapGet(ApiRoutes.MediaRequests.Item, GetMediaRequest)
            .AllowToolToken(ToolEndpoints.MediaRequest, ToolOperations.MediaRequestsGet)
            .Describe(nameof(GetMediaRequest), "Get a media request").Refuses(403, 404);
        requests.MapPost(ApiRoutes.MediaRequests.Cancel, CancelMediaRequest)
            .AllowToolToken(ToolEndpoints.MediaRequestCancel, ToolOperations.MediaRequestsCancel)
            .Describe(nameof(CancelMediaRequest), "Cancel a media request (at its executor too, for an external one)").Refuses(403, 404, 409);
        requests.MapPost(ApiRoutes.MediaRequests.Fail, FailMediaRequest)
            .AllowCallbackToken()
            .Describe(nameof(FailMediaRequest), "Record that a media request failed (an orchestrator, or the executor's callback)")
            .Refuses(400, 403, 404, 409, 413, 415);
        requests.MapPost(ApiRoutes.MediaRequests.Progress, ReportProgress)
            .AllowCallbackToken()
            .Describe(nameof(ReportProgress), "Report a media request's progress (the executor's callback)").Refuses(400, 403, 404, 409, 413, 415);
        requests.MapPost(ApiRoutes.MediaRequests.Fulfill, FulfillMediaRequest)
            .AllowCallbackToken(afterEnd: true)
            .AcceptsUploads()
            .WithMetadata(new JsonBodyType(typeof(FulfillFromFileRequest)))
            .Describe(nameof(FulfillMediaRequest),
                "Fulfil a media request with its bytes (raw with their Content-Type, or multipart/form-data), a project file, or a URL to download")
            .Refuses(400, 403, 404, 409, 413, 415, 502);
    }

    internal static Ok<MediaRequestList> ListMediaRequests(string runId, string? cursor, string? limit, Caller caller, RunStore runs, MediaRequestStore store, OdOptions options)
    {
        var run = runs.Get(runId);
        caller.EnsureRun(run.Id, run.ProjectId);
        var size = options.DefaultPageSize;
        if (limit is not null && (!int.TryParse(limit, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out size) || size < 1 || size > options.MaxPageSize))
        {
            throw DomainException.Invalid($"limit must be a whole number from 1 to {options.MaxPageSize}");
        }
        return TypedResults.Ok(store.ListByRun(run.Id, cursor, size));
    }

    internal static Ok<MediaRequest> GetMediaRequest(string id, Caller caller, MediaRequestStore store) => TypedResults.Ok(Visible(store, id, caller));

    internal static async Task<Results<Ok<MediaRequest>, Accepted<MediaRequest>>> CancelMediaRequest(
        string id, HttpContext context, Caller caller, MediaRequestStore store, MediaRequestCommands commands)
    {
        Visible(store, id, caller);
        return Outcome(await commands.CancelAsync(id, context.RequestAborted));
    }

    internal static async Task<Results<Ok<MediaRequest>, Accepted<MediaRequest>>> FailMediaRequest(
        string id, Body<FailMediaRequestRequest> body, HttpContext context, MediaRequestStore store, MediaRequestCommands commands)
    {
        store.Get(id);
        var failure = body.Value;
        return Outcome(await commands.FailAsync(id, new MediaRequestError(failure.Message, failure.Code), context.RequestAborted));
    }

    internal static async Task<Results<Ok<MediaRequest>, Accepted<MediaRequest>>> ReportProgress(
        string id, Body<MediaRequestProgress> body, HttpContext context, MediaRequestStore store, MediaRequestCommands commands)
    {
        store.Get(id);
        return Outcome(await commands.ProgressAsync(id, body.Value, context.RequestAborted));
    }

    internal static async Task<Results<Ok<MediaRequest>, Accepted<MediaRequest>>> FulfillMediaRequest(
        string id, HttpRequest request, MediaRequestStore store, MediaRequestCommands commands, OdOptions options)
    {
        store.Get(id);
        return Outcome(await FulfillAsync(id, request, commands, options));
    }

    /// <summary>200 with the request once its outcome is recorded; 202 while its workflow is still recording it.</summary>
    private static Results<Ok<MediaRequest>, Accepted<MediaRequest>> Outcome(MediaRequestOutcome outcome) =>
        outcome.Completed ? TypedResults.Ok(outcome.Request) : TypedResults.Accepted(ApiRoutes.MediaRequests.ItemPath(outcome.Request.Id), outcome.Request);

    /// <summary>
    /// Bytes as multipart/form-data or as the raw body with their content type, or JSON naming a project file
    /// (<c>{"file"}</c>) or a URL to download (<c>{"url"}</c>).
    /// </summary>
    private static async Task<MediaRequestOutcome> FulfillAsync(string id, HttpRequest request, MediaRequestCommands commands, OdOptions options)
    {
        var ct = request.HttpContext.RequestAborted;
        var contentType = request.ContentType;
        if (string.IsNullOrWhiteSpace(contentType) || !MediaTypeHeaderValue.TryParse(contentType, out var mediaType))
        {
            throw new DomainException(DomainErrorKind.UnsupportedMediaType, ErrorCodes.UnsupportedMediaType,
                "send the bytes with their Content-Type, as multipart/form-data, or JSON {\"file\": \"<project-relative path>\"} or {\"url\": \"<download URL>\"}");
        }
        if (mediaType.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase))
        {
            var body = await Body<FulfillFromFileRequest>.ReadAsync(request.HttpContext);
            return body.File is { } file
                ? await commands.FulfillWithProjectFileAsync(id, file, ct)
                : await commands.FulfillFromUrlAsync(id, body.Url!, ct);
        }
        if (mediaType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
        {
            var boundary = HeaderUtilities.RemoveQuotes(mediaType.Boundary).Value;
            if (string.IsNullOrEmpty(boundary)) throw DomainException.Invalid("multipart/form-data needs a boundary");
            // The part's own size is checked while staging (413); this outer bound only has to leave room for part headers.
            var reader = new MultipartReader(boundary, request.Body) { BodyLengthLimit = options.MaxUploadBytes + (64 * 1024) };
            try
            {
                while (await reader.ReadNextSectionAsync(ct) is { } section)
                {
                    if (ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition) && disposition.IsFileDisposition())
                    {
                        var name = HeaderUtilities.RemoveQuotes(disposition.FileNameStar.HasValue ? disposition.FileNameStar : disposition.FileName).Value;
                        return await commands.FulfillWithUploadAsync(id, section.Body, section.ContentType, name, ct);
                    }
                }
            }
            catch (IOException e) when (!ct.IsCancellationRequested && e.Message.StartsWith("Unexpected end of Stream", StringComparison.Ordinal))
            {
                // MultipartReader's word for a body that stops before its closing boundary.
                throw DomainException.Invalid("the multipart body ends before its closing boundary");
            }
            throw DomainException.Invalid("the multipart body has no file part");
        }
        // Headers carry ASCII only, so clients percent-encode other names (od does).
        var fileName = Uri.UnescapeDataString(request.Headers["X-File-Name"].ToString());
        return await commands.FulfillWithUploadAsync(id, request.Body, contentType, fileName.Length > 0 ? fileName : null, ct);
    }

    private static MediaRequest Visible(MediaRequestStore store, string id, Caller caller)
    {
        var request = store.Get(id);
        caller.EnsureRun(request.RunId, request.ProjectId);
        return request;
    }
}
