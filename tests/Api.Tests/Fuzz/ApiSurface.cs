using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;
using OpenDesign.Workflows.Api.Security;

namespace OpenDesign.Workflows.Api.Tests.Fuzz;

/// <summary>One mapped method and route, as the running app reports it.</summary>
public sealed record ApiEndpoint(string Method, RoutePattern Route, bool ToolOnly)
{
    public string Pattern { get; } = "/" + string.Join('/', Route.PathSegments.Select(s => string.Concat(s.Parts.Select(Text))));

    public string Key => $"{Method} {Pattern}";

    /// <summary>Each route parameter, named with the literal segment before it ("runs/{id}", "files/{**path}").</summary>
    public IEnumerable<string> ParameterKeys
    {
        get
        {
            var segments = Route.PathSegments;
            for (var i = 0; i < segments.Count; i++)
            {
                foreach (var part in segments[i].Parts.OfType<RoutePatternParameterPart>())
                {
                    yield return ParameterKey(i > 0 ? string.Concat(segments[i - 1].Parts.Select(Text)) : "", part);
                }
            }
        }
    }

    public bool ChangesState => Method is not ("GET" or "HEAD");

    public bool IsEventStream => Pattern.EndsWith("/events", StringComparison.Ordinal);

    public static string ParameterKey(string before, RoutePatternParameterPart part) => $"{before}/{Text(part)}";

    private static string Text(RoutePatternPart part) => part switch
    {
        RoutePatternLiteralPart literal => literal.Content,
        RoutePatternParameterPart { IsCatchAll: true } p => $"{{**{p.Name}}}",
        RoutePatternParameterPart p => $"{{{p.Name}}}",
        _ => "",
    };

    /// <summary>Every endpoint of the app, so an endpoint added later is fuzzed without anyone listing it.</summary>
    public static List<ApiEndpoint> All(IServiceProvider services) =>
        [.. services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["GET"]).Select(m =>
                new ApiEndpoint(m, e.RoutePattern, e.Metadata.GetMetadata<ToolAccess>() is { ToolOnly: true })))
            .OrderBy(e => e.Key, StringComparer.Ordinal)];
}
