namespace OpenDesign.Workflows.Api.Endpoints;

public static class EndpointMap
{
    public static WebApplication MapOpenDesignWorkflows(this WebApplication app)
    {
        var api = app.MapGroup("/api");
        api.MapProjects();
        api.MapRuns();
        api.MapToolMedia();
        api.MapMediaRequests();
        api.MapEvents();
        return app;
    }
}
