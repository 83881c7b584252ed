namespace OpenDesign.Workflows.Api.Security;

/// <summary>
/// Endpoint metadata: a run's tool token may call this endpoint for this operation. <see cref="ToolOnly"/> endpoints
/// act on the token's own run and take no admin callers.
/// </summary>
public sealed record ToolAccess(string EndpointKey, string Operation, bool ToolOnly = false);

public static class ToolAccessExtensions
{
    public static TBuilder AllowToolToken<TBuilder>(this TBuilder builder, string endpointKey, string operation)
        where TBuilder : IEndpointConventionBuilder => builder.WithMetadata(new ToolAccess(endpointKey, operation));

    public static TBuilder RequireToolToken<TBuilder>(this TBuilder builder, string endpointKey, string operation)
        where TBuilder : IEndpointConventionBuilder => builder.WithMetadata(new ToolAccess(endpointKey, operation, ToolOnly: true));
}

/// <summary>Endpoint metadata: the callback token of the request named by the route's <c>{id}</c> is accepted here.</summary>
public sealed record CallbackAccess(bool AfterEnd);

public static class CallbackAccessExtensions
{
    /// <param name="afterEnd">Whether an ended request's token may still be presented (fulfil: to be answered idempotently).</param>
    public static TBuilder AllowCallbackToken<TBuilder>(this TBuilder builder, bool afterEnd = false)
        where TBuilder : IEndpointConventionBuilder => builder.WithMetadata(new CallbackAccess(afterEnd));
}
