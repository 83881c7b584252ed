using OpenDesign.Workflows.Api.Http;
using OpenDesign.Workflows.Contracts;

namespace OpenDesign.Workflows.Api.Security;

/// <summary>
/// Refuses a foreign <c>Host</c> and a foreign <c>Origin</c> before anything else runs, for every path and every caller
/// (admin, tool or callback token alike). Clients that are not browsers send no Origin and are not affected.
/// </summary>
internal sealed class BrowserGuardMiddleware(RequestDelegate next, BrowserAccess access, IProblemDetailsService problems)
{
    // Not async, so that a request that passes carries no state machine of this middleware while it waits downstream.
    public Task InvokeAsync(HttpContext context)
    {
        if (!access.IsHostAllowed(context.Request.Host))
        {
            return Problems.WriteAsync(problems, context, StatusCodes.Status400BadRequest, ErrorCodes.HostNotAllowed,
                "the Host header names neither an address this service listens on nor a configured name (Od:AllowedHosts)", null).AsTask();
        }
        var origin = context.Request.Headers.Origin;
        if (origin.Count > 1 || (origin.Count == 1 && !access.IsOriginAllowed(origin.ToString(), context.Request)))
        {
            return Problems.WriteAsync(problems, context, StatusCodes.Status403Forbidden, ErrorCodes.OriginNotAllowed,
                "cross-origin requests are not allowed: the Origin is neither this service's own nor a configured one (Od:AllowedOrigins)", null).AsTask();
        }
        return next(context);
    }
}
