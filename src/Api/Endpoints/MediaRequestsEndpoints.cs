using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;
using OpenDesign.Workflows.Api.Http;
using OpenDesign.Workflows.Api.Security;
using OpenDesign.Workflows.Contracts;
using OpenDesign.Workflows.Domain;
using OpenDesign.Workflows.Domain.MediaRequests;
using OpenDesign.Workflows.Domain.Runs;

namespace OpenDesign.Workflows.Api.Endpoints;

internal static partial class MediaRequestsEndpoints
{
    public static void MapMediaRequests(this IEndpointRouteBuilder app)
    {
        app.MapGet(ApiRoutes.Runs.MediaRequests, (string runId, string? cursor, string? limit, Caller caller, RunStore runs, MediaRequestStore store, OdOptions options) =>
        {
            var run = runs.Get(runId);
            caller.EnsureRun(run.Id, run.ProjectId);
            var size = options.DefaultPageSize;
            if (limit is not null && (!int.TryParse(limit, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out size) || size < 1 || size > options.MaxPageSize))
            {
                throw DomainException.Invalid($"limit must be a whole number from 1 to {options.MaxPageSize}");
            }
            return TypedResults.Ok(store.ListByRun(run.Id, cursor, size));
        })
        .AllowToolToken(ToolEndpoints.RunMediaRequests, ToolOperations.MediaRequestsList)
        .WithTags("Media requests");

        var requests = app.MapGroup("").WithTags("Media requests");

        requests.MapGet(ApiRoutes.MediaRequests.Item, (string id, Caller caller, MediaRequestStore store) => TypedResults.Ok(Visible(store, id, caller)))
            .AllowToolToken(ToolEndpoints.MediaRequest, ToolOperations.MediaRequestsGet);

        requests.MapPost(ApiRoutes.MediaRequests.Cancel, async (string id, HttpContext context, Caller caller, MediaRequestStore store, MediaRequestCommands commands) =>
        {
            Visible(store, id, caller);
            return Outcome(await commands.CancelAsync(id, context.RequestAborted));
        })
        .AllowToolToken(ToolEndpoints.MediaRequestCancel, ToolOperations.MediaRequestsCancel);

        requests.MapPost(ApiRoutes.MediaRequests.Fail, async (string id, HttpRequest request, MediaRequestStore store, MediaRequestCommands commands, OdOptions options) =>
        {
            store.Get(id);
            var body = await JsonBody.ReadObjectAsync(request, options.MaxJsonBodyBytes);
            var message = JsonBody.RequiredString(body, "message", 2000);
            var code = JsonBody.OptionalString(body, "code", 64);
            if (code is not null && !ErrorCode().IsMatch(code)) throw DomainException.Invalid("code must be upper-case letters, digits and underscores");
            return Outcome(await commands.FailAsync(id, new MediaRequestError(message, code), request.HttpContext.RequestAborted));
        })
        .AllowCallbackToken();

        requests.MapPost(ApiRoutes.MediaRequests.Progress, async (string id, HttpRequest request, MediaRequestStore store, MediaRequestCommands commands, OdOptions options) =>
        {
            store.Get(id);
            var body = await JsonBody.ReadObjectAsync(request, options.MaxJsonBodyBytes, optional: true);
            var message = JsonBody.OptionalString(body, "message", 2000);
            double? percent = null;
            if (body.TryGetProperty("percent", out var p) && p.ValueKind != JsonValueKind.Null)
            {
                if (p.ValueKind != JsonValueKind.Number || p.GetDouble() is < 0 or > 100) throw DomainException.Invalid("percent must be a number from 0 to 100");
                percent = p.GetDouble();
            }
            var outcome = await commands.ProgressAsync(id, new MediaRequestProgress(message, percent), request.HttpContext.RequestAborted);
            return outcome.Completed ? Results.Ok(outcome.Request) : Results.Accepted(ApiRoutes.MediaRequests.ItemPath(id), outcome.Request);
        })
        .AllowCallbackToken();

        requests.MapPost(ApiRoutes.MediaRequests.Fulfill, async (string id, HttpRequest request, MediaRequestStore store, MediaRequestCommands commands, OdOptions options) =>
        {
            store.Get(id);
            return Outcome(await FulfillAsync(id, request, commands, options));
        })
        .AllowCallbackToken(afterEnd: true)
        .AcceptsUploads();
    }

    /// <summary>200 with the request once its outcome is recorded; 202 while its workflow is still recording it.</summary>
    private static IResult Outcome(MediaRequestOutcome outcome) =>
        outcome.Completed ? Results.Ok(outcome.Request) : Results.Accepted(ApiRoutes.MediaRequests.ItemPath(outcome.Request.Id), outcome.Request);

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
            var body = await JsonBody.ReadObjectAsync(request, options.MaxJsonBodyBytes);
            var file = JsonBody.OptionalString(body, "file", 1024);
            var url = JsonBody.OptionalString(body, "url", 4096);
            if ((file is null) == (url is null)) throw DomainException.Invalid("give exactly one of file (a project-relative path) or url");
            return file is not null
                ? await commands.FulfillWithProjectFileAsync(id, file, ct)
                : await commands.FulfillFromUrlAsync(id, url!, ct);
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

    [GeneratedRegex("^[A-Z][A-Z0-9_]{0,63}$")]
    private static partial Regex ErrorCode();
}
