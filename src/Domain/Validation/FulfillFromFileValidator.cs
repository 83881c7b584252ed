using System.Text.Json.Serialization.Metadata;
using OpenDesign.Workflows.Contracts;

namespace OpenDesign.Workflows.Domain.Validation;

/// <summary>The JSON form of <c>POST /api/media-requests/{id}/fulfill</c>: exactly one of a project file or a URL.</summary>
public sealed class FulfillFromFileValidator : IBodyValidator<FulfillFromFileRequest>
{
    public JsonTypeInfo<FulfillFromFileRequest> Type => OdJsonContext.Default.FulfillFromFileRequest;

    public FulfillFromFileRequest Validate(FulfillFromFileRequest body, WrongTypes wrong)
    {
        var file = FieldRules.Text(body.File, wrong.At("$.file"), "file", 1024);
        var url = FieldRules.Text(body.Url, wrong.At("$.url"), "url", 4096);
        if ((file is null) == (url is null)) throw DomainException.Invalid("give exactly one of file (a project-relative path) or url");
        return new FulfillFromFileRequest(file, url);
    }
}
