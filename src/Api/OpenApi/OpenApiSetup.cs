using Microsoft.AspNetCore.OpenApi;
using OpenDesign.Workflows.Contracts;
using Scalar.AspNetCore;

namespace OpenDesign.Workflows.Api.OpenApi;

/// <summary>
/// The OpenAPI document at <c>/openapi/v1.json</c>, generated from the typed endpoints, and its reference page at
/// <c>/scalar/v1</c>. Both are ordinary endpoints: the caller rules of every admin endpoint apply (loopback, or the
/// <c>OD_API_TOKEN</c> bearer), nothing is opened wider than the API itself.
/// </summary>
internal static class OpenApiSetup
{
    public const string DocumentName = "v1";

    public static IServiceCollection AddOpenDesignOpenApi(this IServiceCollection services) =>
        services.AddOpenApi(DocumentName, options =>
        {
            options.AddDocumentTransformer<DocumentInfo>();
            options.AddOperationTransformer<OperationAuth>();
            options.AddOperationTransformer<OperationBodies>();
            options.AddSchemaTransformer<SchemaRules>();
        });

    public static void MapOpenDesignOpenApi(this IEndpointRouteBuilder app)
    {
        app.MapOpenApi(ApiRoutes.OpenApi.Document).ExcludeFromDescription();
        app.MapScalarApiReference(ApiRoutes.OpenApi.ReferencePrefix, o => o
            .WithTitle("OpenDesign.Workflows API")
            .WithOpenApiRoutePattern(ApiRoutes.OpenApi.Document))
            .ExcludeFromDescription();
    }
}
