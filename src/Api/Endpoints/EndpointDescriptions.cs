using OpenDesign.Workflows.Contracts;

namespace OpenDesign.Workflows.Api.Endpoints;

/// <summary>
/// What OpenAPI says of an endpoint beyond its typed results: its operation id and summary, and the problem statuses its
/// refusals answer (a refusal is a thrown <c>DomainException</c>, so the handler's return type cannot list it).
/// Statuses every endpoint can answer (authentication, browser checks) are added by the document transformers.
/// </summary>
internal static class EndpointDescriptions
{
    public static RouteHandlerBuilder Describe(this RouteHandlerBuilder builder, string operationId, string summary) =>
        builder.WithName(operationId).WithSummary(summary);

    /// <summary>Each status answered with problem+json (<see cref="Problem"/>, its stable <c>code</c> included).</summary>
    public static RouteHandlerBuilder Refuses(this RouteHandlerBuilder builder, params int[] statuses)
    {
        foreach (var status in statuses) builder.Produces<Problem>(status, "application/problem+json");
        return builder;
    }
}
