using OpenDesign.Workflows.Api.Temporal;

namespace OpenDesign.Workflows.Api.Endpoints;

/// <summary>Liveness and readiness for operators and orchestrators; readiness says whether external mode can run.</summary>
internal static class HealthEndpoints
{
    public static void MapHealth(this IEndpointRouteBuilder app)
    {
        var health = app.MapGroup("/health").WithTags("Health");
        health.MapGet("/live", () => TypedResults.Ok(new HealthReport("ok", null)));
        health.MapGet("/ready", (TemporalRuntime temporal) =>
        {
            var report = new HealthReport(temporal.Client is null ? "degraded" : "ok",
                new TemporalHealth(temporal.Client is not null, temporal.Options.Address, temporal.Options.Namespace, temporal.Options.TaskQueue,
                    temporal.Options.Worker, temporal.HasSearchAttributes, temporal.Problem));
            // The service itself serves every other mode; only external mode waits for Temporal.
            return temporal.Client is null ? Results.Json(report, statusCode: 503) : Results.Ok(report);
        });
    }
}

internal sealed record HealthReport(string Status, TemporalHealth? Temporal);

internal sealed record TemporalHealth(bool Ready, string? Address, string Namespace, string TaskQueue, string Worker, bool SearchAttributes, string? Problem);
