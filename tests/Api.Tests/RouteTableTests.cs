using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using OpenDesign.Workflows.Api.Security;
using OpenDesign.Workflows.Api.Tests.Support;
using OpenDesign.Workflows.Contracts;

namespace OpenDesign.Workflows.Api.Tests;

/// <summary>The routes are spelled once, in ApiRoutes: what the service maps, what grants list and what callers build all agree.</summary>
public sealed class RouteTableTests : IDisposable
{
    private readonly TempDir _dir = new();

    private IReadOnlyList<RouteEndpoint> MappedEndpoints()
    {
        using var app = new OdApp(_dir.Path);
        _ = app.Services; // builds the host, which maps the endpoints
        return app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().ToList();
    }

    [Fact]
    public void Every_mapped_route_is_one_of_the_ApiRoutes_templates_and_every_template_is_mapped()
    {
        var mapped = MappedEndpoints().Select(e => e.RoutePattern.RawText).ToHashSet();
        Assert.Equal(ApiRoutes.All.Order(StringComparer.Ordinal), mapped.Order(StringComparer.Ordinal)!);
    }

    [Fact]
    public void A_tool_token_grant_names_the_route_it_guards()
    {
        var guarded = MappedEndpoints()
            .Select(e => (Route: e.RoutePattern.RawText, Access: e.Metadata.GetMetadata<ToolAccess>()))
            .Where(e => e.Access is not null)
            .ToDictionary(e => e.Access!.EndpointKey, e => e.Route);
        // Written out by hand: these keys are stored with every issued token and must keep their spelling.
        var expected = new Dictionary<string, string?>
        {
            ["/api/tools/media/generate"] = "/api/tools/media/generate",
            ["/api/runs/:runId/media-requests"] = "/api/runs/{runId}/media-requests",
            ["/api/media-requests/:id"] = "/api/media-requests/{id}",
            ["/api/media-requests/:id/cancel"] = "/api/media-requests/{id}/cancel",
            ["/api/media/tasks/:id"] = "/api/media/tasks/{id}",
            ["/api/media/tasks/:id/wait"] = "/api/media/tasks/{id}/wait",
            ["/api/projects/:id/media/generate"] = "/api/projects/{id}/media/generate",
        };
        Assert.Equal(expected.OrderBy(p => p.Key, StringComparer.Ordinal), guarded.OrderBy(p => p.Key, StringComparer.Ordinal));
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), ToolEndpoints.All.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Path_builders_fill_the_template_and_escape_the_id()
    {
        Assert.Equal("/api/projects/proj_1", ApiRoutes.Projects.ItemPath("proj_1"));
        Assert.Equal("/api/runs/run_1", ApiRoutes.Runs.ItemPath("run_1"));
        Assert.Equal("/api/runs/run_1/finish", ApiRoutes.Runs.FinishPath("run_1"));
        Assert.Equal("/api/runs/run_1/cancel", ApiRoutes.Runs.CancelPath("run_1"));
        Assert.Equal("/api/runs/run_1/events", ApiRoutes.Runs.EventsPath("run_1"));
        Assert.Equal("/api/runs/run_1/media-requests", ApiRoutes.Runs.MediaRequestsPath("run_1"));
        Assert.Equal("/api/media-requests/mreq_1", ApiRoutes.MediaRequests.ItemPath("mreq_1"));
        Assert.Equal("/api/media-requests/mreq_1/cancel", ApiRoutes.MediaRequests.CancelPath("mreq_1"));
        Assert.Equal("/api/media-requests/mreq_1/fail", ApiRoutes.MediaRequests.FailPath("mreq_1"));
        Assert.Equal("/api/media-requests/mreq_1/progress", ApiRoutes.MediaRequests.ProgressPath("mreq_1"));
        Assert.Equal("/api/media-requests/mreq_1/fulfill", ApiRoutes.MediaRequests.FulfillPath("mreq_1"));
        // An id from the command line stays one path segment.
        Assert.Equal("/api/runs/a%2F..%2Fb%3Fx/finish", ApiRoutes.Runs.FinishPath("a/../b?x"));
    }

    public void Dispose() => _dir.Dispose();
}
