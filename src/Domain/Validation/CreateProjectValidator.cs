using System.Text.Json.Serialization.Metadata;
using OpenDesign.Workflows.Contracts;
using OpenDesign.Workflows.Domain.Projects;

namespace OpenDesign.Workflows.Domain.Validation;

/// <summary><c>POST /api/projects</c>: the body may be left out; a name is optional.</summary>
public sealed class CreateProjectValidator : IBodyValidator<CreateProjectRequest>
{
    public JsonTypeInfo<CreateProjectRequest> Type => OdJsonContext.Default.CreateProjectRequest;

    public bool Optional => true;

    public CreateProjectRequest Validate(CreateProjectRequest body, WrongTypes wrong) =>
        new(FieldRules.Text(body.Name, wrong.At("$.name"), "name", ProjectStore.MaxNameLength));
}
