using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using OpenDesign.Workflows.Api.Security;
using OpenDesign.Workflows.Contracts;

namespace OpenDesign.Workflows.Api.OpenApi;

/// <summary>
/// Which credential each operation takes, read from the same endpoint metadata <c>CallerAuthenticationMiddleware</c>
/// judges (<see cref="ToolAccess"/>, <see cref="CallbackAccess"/>), and the problems that judging can answer.
/// </summary>
internal sealed class OperationAuth : IOpenApiOperationTransformer
{
    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        var tool = metadata.OfType<ToolAccess>().FirstOrDefault();
        var callback = metadata.OfType<CallbackAccess>().FirstOrDefault();
        List<AuthSchemes.Scheme> schemes = tool switch
        {
            { ToolOnly: true } => [AuthSchemes.Tool],
            not null => [AuthSchemes.Admin, AuthSchemes.Tool],
            _ when callback is not null => [AuthSchemes.Admin, AuthSchemes.Callback],
            _ => [AuthSchemes.Admin],
        };
        // Alternatives: each requirement alone is enough.
        operation.Security = [.. schemes.Select(s => new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(s.Id, context.Document)] = [] })];
        operation.Responses ??= [];
        var problem = new OpenApiSchemaReference(nameof(Problem), context.Document);
        AddProblem(operation, "401", "No credential from another machine, or a credential that is not valid here", problem);
        if (schemes.Count > 1 || tool is not null) AddProblem(operation, "403", "The credential may not call this endpoint, or not for this run", problem);
        return Task.CompletedTask;
    }

    private static void AddProblem(OpenApiOperation operation, string status, string description, IOpenApiSchema schema)
    {
        if (operation.Responses!.ContainsKey(status)) return;
        operation.Responses[status] = new OpenApiResponse
        {
            Description = description,
            Content = new Dictionary<string, OpenApiMediaType> { ["application/problem+json"] = new() { Schema = schema } },
        };
    }
}
