using System.Text.Json.Serialization.Metadata;
using System.Text.RegularExpressions;
using OpenDesign.Workflows.Contracts;

namespace OpenDesign.Workflows.Domain.Validation;

/// <summary><c>POST /api/media-requests/{id}/fail</c>: a message, and optionally a code in the service's own style.</summary>
public sealed partial class FailMediaRequestValidator : IBodyValidator<FailMediaRequestRequest>
{
    public JsonTypeInfo<FailMediaRequestRequest> Type => OdJsonContext.Default.FailMediaRequestRequest;

    public FailMediaRequestRequest Validate(FailMediaRequestRequest body, WrongTypes wrong)
    {
        var message = FieldRules.RequiredText(body.Message, wrong.At("$.message"), "message", 2000);
        var code = FieldRules.Text(body.Code, wrong.At("$.code"), "code", 64);
        if (code is not null && !ErrorCode().IsMatch(code)) throw DomainException.Invalid("code must be upper-case letters, digits and underscores");
        return new FailMediaRequestRequest(message, code);
    }

    [GeneratedRegex("^[A-Z][A-Z0-9_]{0,63}$")]
    private static partial Regex ErrorCode();
}
