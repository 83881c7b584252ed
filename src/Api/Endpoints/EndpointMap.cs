using OpenDesign.Workflows.Api.OpenApi;

namespace OpenDesign.Workflows.Api.Endpoints;

public static class EndpointMap
{
    public static WebApplication MapOpenDesignWorkflows(this WebApplication app)
    {
        app.MapHealth();
        // A worker-only process serves health alone: its job is the Temporal worker, not the API.
        if (app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<Temporal.TemporalOptions>>().Value.WorkerOnly) return app;
        app.MapProjects();
        app.MapRuns();
        app.MapToolMedia();
        app.MapMediaRequests();
        app.MapMediaCatalog();
        app.MapMediaTasks();
        app.MapEvents();
        app.MapAgents();
        app.MapOpenDesignOpenApi();
        return app;
    }
}
