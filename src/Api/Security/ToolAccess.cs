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
