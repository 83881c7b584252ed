using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using OpenDesign.Workflows.Contracts;

namespace OpenDesign.Workflows.Api.OpenApi;

/// <summary>
/// What the schemas cannot learn from the record types: <c>mode</c> is read by a lenient converter (so the generator
/// sees no type) and is one of four strings.
/// </summary>
internal sealed class SchemaRules : IOpenApiSchemaTransformer
{
    public Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        if (context.JsonTypeInfo.Type == typeof(MediaExecutionPolicy) && schema.Properties?.TryGetValue("mode", out var mode) == true
            && mode is OpenApiSchema modeSchema)
        {
            modeSchema.Type = JsonSchemaType.String;
            modeSchema.Enum = [.. MediaExecutionModes.All.Select(m => (System.Text.Json.Nodes.JsonNode)m)];
            modeSchema.Description = "enabled (the default; also what a value that is not a string means), disabled, request-only or external";
        }
        return Task.CompletedTask;
    }
}
