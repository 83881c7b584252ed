using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using OpenDesign.Workflows.Contracts;
using OpenDesign.Workflows.Domain;

namespace OpenDesign.Workflows.Api.Http;

/// <summary>Turns refusals into problem+json; anything unexpected is logged and answered without internals.</summary>
internal sealed class DomainExceptionHandler(IProblemDetailsService problems, ILogger<DomainExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        var (status, code, detail, details) = exception switch
        {
            DomainException d => (d.Status, d.Code, d.Message, d.Details),
            BadHttpRequestException b when b.StatusCode == 413 => (413, ErrorCodes.PayloadTooLarge, "the request body is too large", null),
            BadHttpRequestException b => (b.StatusCode, ErrorCodes.BadRequest, b.Message, null),
            JsonException => (400, ErrorCodes.BadRequest, "the request body is not valid JSON", null),
            InvalidDataException => (400, ErrorCodes.BadRequest, "the multipart body is malformed", null),
            IOException when context.RequestAborted.IsCancellationRequested => (400, ErrorCodes.BadRequest, "the request was aborted", null),
            _ => (500, ErrorCodes.InternalError, "the service failed to handle the request", (IReadOnlyDictionary<string, object?>?)null),
        };
        // A refusal the service chose (even a 503) is not an error of the service; only the unexpected is logged as one.
        if (exception is not DomainException && status >= 500) logger.LogError(exception, "Unhandled error on {Method} {Path}", context.Request.Method, context.Request.Path);
        if (context.Response.HasStarted) return true;
        await Problems.WriteAsync(problems, context, status, code, detail, details);
        return true;
    }
}
