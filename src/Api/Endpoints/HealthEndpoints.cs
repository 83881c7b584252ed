using Microsoft.AspNetCore.Http.HttpResults;
using OpenDesign.Workflows.Api.Temporal;
using OpenDesign.Workflows.Contracts;

namespace OpenDesign.Workflows.Api.Endpoints;

/// <summary>Liveness and readiness for operators and orchestrators; readiness says whether external mode can run.</summary>
internal static class HealthEndpoints
{
    public static void MapHealth(this IEndpointRouteBuilder app)
    {
        var health = app.MapGroup("").WithTags("Health");
        health.MapGet(ApiRoutes.Health.Live, GetLiveness).Describe(nameof(GetLiveness), "The service is up");
        health.MapGet(ApiRoutes.Health.Ready, GetReadiness)
            .Describe(nameof(GetReadiness), "Whether external mode can run: 503 with the same report while Temporal is not reachable")
            .Produces<HealthReport>(StatusCodes.Status503ServiceUnavailable);
    }

    internal static Ok<HealthReport> GetLiveness() => TypedResults.Ok(new HealthReport("ok", null));

    internal static async Task<Results<Ok<HealthReport>, JsonHttpResult<HealthReport>>> GetReadiness(TemporalRuntime temporal, HttpContext context)
    {
        var problem = await temporal.CheckAsync(context.RequestAborted);
        var options = temporal.Options;
        var report = new HealthReport(problem is null ? "ok" : "degraded",
            new TemporalHealth(problem is null, options.Address, options.Namespace, options.TaskQueue, options.Worker, temporal.HasSearchAttributes, problem));
        // The service itself serves every other mode; only external mode waits for Temporal.
        return problem is null ? TypedResults.Ok(report) : TypedResults.Json(report, statusCode: StatusCodes.Status503ServiceUnavailable);
    }
}

internal sealed record HealthReport(string Status, TemporalHealth? Temporal);

internal sealed record TemporalHealth(bool Ready, string? Address, string Namespace, string TaskQueue, string Worker, bool SearchAttributes, string? Problem);
