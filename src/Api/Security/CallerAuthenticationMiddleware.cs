using System.Net;
using OpenDesign.Workflows.Api.Http;
using OpenDesign.Workflows.Contracts;
using OpenDesign.Workflows.Domain;
using OpenDesign.Workflows.Domain.Tokens;

namespace OpenDesign.Workflows.Api.Security;

/// <summary>
/// Settles who the caller is before any handler runs. A presented credential is always judged on its own: a wrong,
/// expired or foreign token is refused even from loopback, never ignored in favour of the loopback rule. Only a
/// request with no credential at all may rely on coming from this machine, and only for admin endpoints.
/// </summary>
internal sealed class CallerAuthenticationMiddleware(RequestDelegate next, ToolTokens tokens, CallbackTokens callbacks, ApiTokenOptions apiToken, IProblemDetailsService problems)
{
    public Task InvokeAsync(HttpContext context)
    {
        if (context.GetEndpoint() is not RouteEndpoint endpoint) return next(context);
        var resolving = ResolveAsync(context, endpoint);
        // The caller is almost always settled without waiting (a cached grant): the request then goes on as the next
        // middleware's own task, carrying no state machine of this one while it waits downstream.
        if (resolving.IsCompletedSuccessfully)
        {
            context.Items[typeof(Caller)] = resolving.Result;
            return next(context);
        }
        // Waiting, or refused (the refusal is in the task): settled there.
        return InvokeAfterAsync(context, resolving);
    }

    private async Task InvokeAfterAsync(HttpContext context, Task<Caller> resolving)
    {
        try
        {
            context.Items[typeof(Caller)] = await resolving;
        }
        catch (DomainException e)
        {
            await Problems.WriteAsync(problems, context, e);
            return;
        }
        await next(context);
    }

    private async Task<Caller> ResolveAsync(HttpContext context, RouteEndpoint endpoint)
    {
        var access = endpoint.Metadata.GetMetadata<ToolAccess>();
        var endpointKey = access?.EndpointKey ?? EndpointKey(endpoint);
        var operation = access?.Operation ?? "admin";
        var credential = Bearer(context.Request);

        if (credential is not null && ToolTokens.LooksLikeToolToken(credential))
        {
            // Admin endpoints are absent from every grant, so a tool token there ends in TOOL_ENDPOINT_DENIED.
            return Caller.Tool(await tokens.ValidateAsync(credential, endpointKey, operation));
        }
        if (credential is not null && CallbackTokens.LooksLikeCallbackToken(credential))
        {
            return Callback(context, endpoint, credential);
        }
        if (access is { ToolOnly: true })
        {
            // Judged as a tool token, which it is not: TOOL_TOKEN_MISSING or TOOL_TOKEN_INVALID, as Open Design answers.
            await tokens.ValidateAsync(credential, endpointKey, operation);
        }
        if (credential is not null)
        {
            if (apiToken.Matches(credential)) return Caller.Admin;
            throw new DomainException(DomainErrorKind.Unauthenticated, ErrorCodes.ApiTokenInvalid, "the bearer token is not valid for this service");
        }
        if (context.Connection.RemoteIpAddress is { } ip && IPAddress.IsLoopback(ip)) return Caller.Admin;
        throw new DomainException(DomainErrorKind.Unauthenticated, ErrorCodes.ApiTokenRequired, "callers from other machines must send Authorization: Bearer <OD_API_TOKEN>");
    }

    private Caller Callback(HttpContext context, RouteEndpoint endpoint, string credential)
    {
        var access = endpoint.Metadata.GetMetadata<CallbackAccess>();
        var requestId = context.Request.RouteValues["id"] as string;
        if (access is null || requestId is null)
        {
            throw new DomainException(DomainErrorKind.Forbidden, ErrorCodes.CallbackTokenDenied, "callback tokens may only call a media request's fulfil, fail and progress endpoints");
        }
        var request = callbacks.Validate(credential, requestId);
        if (MediaRequestStatuses.IsTerminal(request.Status) && !access.AfterEnd)
        {
            throw new DomainException(DomainErrorKind.Unauthenticated, ErrorCodes.CallbackTokenInvalid, $"the callback token is no longer valid: the media request is {request.Status}");
        }
        return Caller.Callback(requestId);
    }

    /// <summary>The bearer credential, or null when no Authorization header is sent; any other scheme is refused, not ignored.</summary>
    private static string? Bearer(HttpRequest request)
    {
        if (!request.Headers.TryGetValue("Authorization", out var values) || values.Count == 0) return null;
        var value = values.ToString().Trim();
        const string scheme = "Bearer ";
        if (values.Count > 1 || !value.StartsWith(scheme, StringComparison.OrdinalIgnoreCase) || value.Length == scheme.Length)
        {
            throw new DomainException(DomainErrorKind.Unauthenticated, ErrorCodes.ApiTokenInvalid, "Authorization must be a single Bearer credential");
        }
        return value[scheme.Length..].Trim();
    }

    private static string EndpointKey(RouteEndpoint endpoint) =>
        "/" + string.Join('/', endpoint.RoutePattern.PathSegments.Select(s =>
            string.Concat(s.Parts.Select(p => p switch
            {
                Microsoft.AspNetCore.Routing.Patterns.RoutePatternParameterPart param => ":" + param.Name,
                Microsoft.AspNetCore.Routing.Patterns.RoutePatternLiteralPart lit => lit.Content,
                _ => "",
            }))));
}
