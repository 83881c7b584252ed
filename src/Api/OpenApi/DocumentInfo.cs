using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace OpenDesign.Workflows.Api.OpenApi;

/// <summary>The document's title, description and the three ways a caller proves who it is (<see cref="AuthSchemes"/>).</summary>
internal sealed class DocumentInfo : IOpenApiDocumentTransformer
{
    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info = new OpenApiInfo
        {
            Title = "OpenDesign.Workflows",
            Version = "v1",
            Description = "Design-agent runs on Open Design with a run-scoped media policy (enabled, disabled, request-only, external). "
                + "Every refusal is RFC 9457 problem+json with a stable `code`. Callers on loopback need no credential for admin "
                + "endpoints; others send `Authorization: Bearer <OD_API_TOKEN>`.",
        };
        // Generated from whatever host served it: a fixed document, so the checked-in copy compares equal.
        document.Servers = [];
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes = AuthSchemes.All.ToDictionary(s => s.Id, s => (IOpenApiSecurityScheme)new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            BearerFormat = s.Format,
            Description = s.Description,
        });
        return Task.CompletedTask;
    }
}
