using OpenDesign.Workflows.Api.Temporal;
using OpenDesign.Workflows.Contracts;

namespace OpenDesign.Workflows.Api.Endpoints;

/// <summary>Liveness and readiness for operators and orchestrators; readiness says whether external mode can run.</summary>
internal static class HealthEndpoints
{
    public static void MapHealth(this IEndpointRouteBuilder app)
    {
        var health = app.MapGroup("").WithTags("Health");
        health.MapGet(ApiRoutes.Health.Live, () => TypedResults.Ok(new HealthReport("ok", null)));
        health.MapGet(ApiRoutes.Health.Ready, async (TemporalRuntime temporal, HttpContext context) =>
        {
            var problem = await temporal.CheckAsync(context.RequestAborted);
            var options = temporal.Options;
            var report = new HealthReport(problem is null ? "ok" : "degraded",
                new TemporalHealth(problem is null, options.Address, options.Namespace, options.TaskQueue, options.Worker, temporal.HasSearchAttributes, problem));
            // The service itself serves every other mode; only external mode waits for Temporal.
            return problem is null ? Results.Ok(report) : Results.Json(report, statusCode: 503);
        });
    }
}

internal sealed record HealthReport(string Status, TemporalHealth? Temporal);

internal sealed record TemporalHealth(bool Ready, string? Address, string Namespace, string TaskQueue, string Worker, bool SearchAttributes, string? Problem);
