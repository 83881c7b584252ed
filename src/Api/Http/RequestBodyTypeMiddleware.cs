using Microsoft.Net.Http.Headers;
using OpenDesign.Workflows.Contracts;

namespace OpenDesign.Workflows.Api.Http;

/// <summary>
/// A request that changes state and carries a body must say it is JSON (or, where the endpoint takes uploads, media
/// bytes or multipart/form-data). A cross-site HTML form can only send text/plain, urlencoded or multipart bodies, so
/// this keeps forms away from every JSON endpoint, and any endpoint added later is JSON-only unless it says otherwise.
/// Body-less POSTs (cancel) need no Content-Type; a browser sends Origin with them, which the origin check judges.
/// </summary>
internal sealed class RequestBodyTypeMiddleware(RequestDelegate next, IProblemDetailsService problems)
{
    public const string JsonOnlyMessage = "the body must be JSON: send Content-Type: application/json";

    public const string UploadMessage =
        "send the bytes with their Content-Type (image/*, video/*, audio/*, application/octet-stream), as multipart/form-data, "
        + "or JSON {\"file\": \"<project-relative path>\"} or {\"url\": \"<download URL>\"}";

    // Not async: a request that passes goes on as the next middleware's own task, without a state machine of this
    // one's kept for the length of the request (every request passing through the pipeline awaits the writer).
    public Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        if (context.GetEndpoint() is RouteEndpoint endpoint && ChangesState(request.Method) && HasBody(request))
        {
            var upload = endpoint.Metadata.GetMetadata<AcceptsUpload>() is not null;
            if (!IsPlainJson(request.ContentType)
                && (!MediaTypeHeaderValue.TryParse(request.ContentType, out var type) || !(IsJson(type) || (upload && IsUpload(type)))))
            {
                return Problems.WriteAsync(problems, context, StatusCodes.Status415UnsupportedMediaType, ErrorCodes.UnsupportedMediaType,
                    upload ? UploadMessage : JsonOnlyMessage, null).AsTask();
            }
        }
        return next(context);
    }

    private static bool ChangesState(string method) =>
        !(HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method) || HttpMethods.IsTrace(method));

    /// <summary>A Content-Type counts as a body even with no bytes: a form always sends one.</summary>
    private static bool HasBody(HttpRequest request) =>
        request.Headers.ContentType.Count > 0 || request.ContentLength > 0 || request.Headers.TransferEncoding.Count > 0;

    /// <summary>
    /// The header almost every client sends, judged without parsing it: the parse allocated a header value and its
    /// parameter list on every tool call (about 300 bytes, 3% of a generate request's allocations).
    /// </summary>
    private static bool IsPlainJson(string? contentType) => string.Equals(contentType, "application/json", StringComparison.OrdinalIgnoreCase);

    private static bool IsJson(MediaTypeHeaderValue type) => type.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase);

    private static bool IsUpload(MediaTypeHeaderValue type) =>
        type.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase)
        || type.MediaType.Equals("application/octet-stream", StringComparison.OrdinalIgnoreCase)
        || type.Type.Equals("image", StringComparison.OrdinalIgnoreCase)
        || type.Type.Equals("video", StringComparison.OrdinalIgnoreCase)
        || type.Type.Equals("audio", StringComparison.OrdinalIgnoreCase);
}
