using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using OpenDesign.Workflows.Api.Http;
using OpenDesign.Workflows.Domain.Validation;

namespace OpenDesign.Workflows.Api.OpenApi;

/// <summary>
/// Request bodies: the Contracts record a <see cref="Body{T}"/> parameter binds (<see cref="JsonBodyType"/>), the upload
/// forms of endpoints that take bytes (<see cref="AcceptsUpload"/>), and an example for the main bodies.
/// </summary>
internal sealed class OperationBodies : IOpenApiOperationTransformer
{
    public async Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        if (metadata.OfType<JsonBodyType>().FirstOrDefault() is not { } body) return;

        var schema = await context.GetOrCreateSchemaAsync(body.Type, null, cancellationToken);
        var name = body.Type.Name;
        context.Document!.AddComponent(name, schema);
        var content = new Dictionary<string, OpenApiMediaType>
        {
            ["application/json"] = new()
            {
                Schema = new OpenApiSchemaReference(name, context.Document),
                Example = OpenApiExamples.For(operation.OperationId) is { } example ? JsonNode.Parse(example) : null,
            },
        };
        if (metadata.OfType<AcceptsUpload>().Any())
        {
            var bytes = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary" };
            content["multipart/form-data"] = new()
            {
                Schema = new OpenApiSchema
                {
                    Type = JsonSchemaType.Object,
                    Properties = new Dictionary<string, IOpenApiSchema> { ["file"] = bytes },
                    Required = new HashSet<string> { "file" },
                },
            };
            content["application/octet-stream"] = new() { Schema = bytes };
        }
        // The validator says whether the body may be left out (create project, progress).
        var validator = context.ApplicationServices.GetService(typeof(IBodyValidator<>).MakeGenericType(body.Type)) as IBodyValidator;
        operation.RequestBody = new OpenApiRequestBody { Required = validator is not { Optional: true }, Content = content };
    }
}
